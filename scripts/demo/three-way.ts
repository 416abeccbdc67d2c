/**
 * "Dashboard = API = ledger": the year's totals as the ledger table's source items give them, as the reports
 * API answers them (the read model the stream projector keeps), and as the dashboard shows them, compared to
 * the rupiah. Pure apart from `readReports`, `readVillagesSummed` and `waitForReports`, which ask the API.
 */
import { type LindungClient, renderTable } from '@lindung/cli';
import { formatNumber, formatRupiah, INVOICE_STATES } from '@lindung/core';

/** Figures by key (`spent`, `covered`, `invoices.paid`, `invoices.paid.amount`…); absent: not shown there. */
export type Figures = Readonly<Record<string, number>>;

/** Which of the three a source belongs to. */
export type Column = 'ledger' | 'api' | 'dashboard';

/** One place that tells figures: the ledger, a report of the API, a page of the dashboard. */
export interface Source {
  readonly column: Column;
  /** Where, e.g. `budget report`, `overview`. */
  readonly name: string;
  readonly figures: Figures;
}

/** A figure as the three columns tell it. */
export interface ComparedFigure {
  readonly key: string;
  readonly label: string;
  readonly money: boolean;
  readonly ledger: number | undefined;
  readonly api: readonly { readonly source: string; readonly value: number }[];
  readonly dashboard: readonly { readonly source: string; readonly value: number }[];
}

export interface Comparison {
  readonly figures: readonly ComparedFigure[];
  /** Every value of the API or the dashboard that is not the ledger's (empty: they agree to the rupiah). */
  readonly differences: readonly string[];
}

const MONEY = ['committed', 'allocated', 'reserved', 'spent', 'released', 'remaining'] as const;

/** The figures compared, in the order of the table. */
export const FIGURE_ROWS: readonly {
  readonly key: string;
  readonly label: string;
  readonly money: boolean;
}[] = [
  ...MONEY.map((key) => ({ key, label: key[0]?.toUpperCase() + key.slice(1), money: true })),
  { key: 'covered', label: 'Covered workers', money: false },
  ...INVOICE_STATES.flatMap((state) => [
    { key: `invoices.${state}`, label: `Invoices ${state}`, money: false },
    { key: `invoices.${state}.amount`, label: `Invoices ${state}, total`, money: true },
  ]),
];

/** Invoice counts and totals by state as figures (`invoices.paid`, `invoices.paid.amount`). */
export const invoiceFigures = (
  byState: Readonly<Record<string, { readonly count: number; readonly amount: number } | undefined>>,
): Record<string, number> => {
  const figures: Record<string, number> = {};
  for (const state of INVOICE_STATES) {
    figures[`invoices.${state}`] = byState[state]?.count ?? 0;
    figures[`invoices.${state}.amount`] = byState[state]?.amount ?? 0;
  }
  return figures;
};

/** Compares every source with the ledger, figure by figure. */
export const compareSources = (ledger: Figures, sources: readonly Source[]): Comparison => {
  const differences: string[] = [];
  const figures = FIGURE_ROWS.map(({ key, label, money }) => {
    const told = (column: Column) =>
      sources.flatMap((s) =>
        s.column === column && s.figures[key] !== undefined
          ? [{ source: s.name, value: s.figures[key] as number }]
          : [],
      );
    const compared: ComparedFigure = {
      key,
      label,
      money,
      ledger: ledger[key],
      api: told('api'),
      dashboard: told('dashboard'),
    };
    const show = (value: number | undefined) =>
      value === undefined ? 'nothing' : money ? formatRupiah(value) : formatNumber(value);
    for (const { source, value } of [...compared.api, ...compared.dashboard]) {
      if (value !== compared.ledger) {
        differences.push(`${label}: the ${source} says ${show(value)}, the ledger ${show(compared.ledger)}`);
      }
    }
    return compared;
  });
  return { figures, differences };
};

/** The comparison as a table of the three columns; figures that are 0 everywhere are left out. */
export const renderComparison = (comparison: Comparison): string => {
  const show = (money: boolean) => (value: number) => (money ? formatRupiah(value) : formatNumber(value));
  const cell = (figure: ComparedFigure, told: ComparedFigure['api']) => {
    if (told.length === 0) return '–';
    const format = show(figure.money);
    const values = new Set(told.map((t) => t.value));
    return values.size === 1
      ? format(told[0]?.value ?? 0)
      : told.map((t) => `${format(t.value)} (${t.source})`).join(' / ');
  };
  // The money and the workers always; invoices only in the states some source has any in.
  const rows = comparison.figures
    .filter(
      (f) =>
        !f.key.startsWith('invoices.') ||
        [f.ledger, ...f.api.map((t) => t.value), ...f.dashboard.map((t) => t.value)].some(Boolean),
    )
    .map((f) => {
      const agree = [...f.api, ...f.dashboard].every((t) => t.value === f.ledger);
      return [
        f.label,
        f.ledger === undefined ? '–' : show(f.money)(f.ledger),
        cell(f, f.api),
        cell(f, f.dashboard),
        agree ? '=' : 'DIFFERS',
      ];
    });
  return renderTable([['', 'Ledger', 'API', 'Dashboard', ''], ...rows]);
};

interface ReportFigures {
  readonly committed?: number;
  readonly allocated: number;
  readonly reserved: number;
  readonly spent: number;
  readonly released: number;
  readonly remaining: number;
  readonly covered: number;
  readonly invoices: Record<string, { count: number; amount: number }>;
}

const reportFigures = (report: ReportFigures, withCommitted: boolean): Figures => ({
  ...(withCommitted && report.committed !== undefined && { committed: report.committed }),
  allocated: report.allocated,
  reserved: report.reserved,
  spent: report.spent,
  released: report.released,
  remaining: report.remaining,
  covered: report.covered,
  ...invoiceFigures(report.invoices),
});

/**
 * What the reports API answers the sponsor's finance officer: the commitment's budget report, and the
 * coverage report of the province (whose rollup has no `committed`: a commitment's budget counts only at the
 * root of the region tree). `fiscalYear` is the year the coverage report chose by default.
 */
export const readReports = async (
  officer: LindungClient,
  commitmentId: string,
  region: string,
): Promise<{ sources: Source[]; fiscalYear: number }> => {
  const budget = await officer.get<ReportFigures>('/v1/reports/budget', { query: { commitmentId } });
  const coverage = await officer.get<{ fiscalYear: number; region: ReportFigures }>('/v1/reports/coverage', {
    query: { region },
  });
  return {
    fiscalYear: coverage.fiscalYear,
    sources: [
      { column: 'api', name: 'budget report', figures: reportFigures(budget, true) },
      {
        column: 'api',
        name: `coverage report of region ${region}`,
        figures: reportFigures(coverage.region, false),
      },
    ],
  };
};

/**
 * The coverage report's list of every village of a region (the dashboard's Villages page), summed. A
 * village has no rollup of its own: its figures are its report cells, summed when read, so this checks that
 * read path (a whole province's cells in one Query) against the ledger, and says how long it took.
 */
export const readVillagesSummed = async (
  officer: LindungClient,
  region: string,
): Promise<{ source: Source; villages: number; seconds: number }> => {
  const started = Date.now();
  const { children } = await officer.get<{ children: ReportFigures[] }>('/v1/reports/coverage', {
    query: { region, children: 'villages' },
  });
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  const total: Record<string, number> = {};
  for (const village of children) {
    for (const [key, value] of Object.entries(reportFigures(village, false))) {
      total[key] = (total[key] ?? 0) + value;
    }
  }
  return {
    source: { column: 'api', name: `coverage report's villages of ${region}, summed`, figures: total },
    villages: children.length,
    seconds,
  };
};

export interface ReportsWait {
  readonly seconds: number;
  /** The API's figures equal the ledger's. */
  readonly caughtUp: boolean;
  readonly sources: readonly Source[];
  readonly fiscalYear: number;
}

/**
 * Polls the reports until they equal the ledger (the stream projector works asynchronously, behind the
 * writes), or until neither they nor the projector's progress have changed for `quietMs` (it has nothing
 * left to do: the reports are short), or `timeoutMs` at most.
 */
export const waitForReports = async (options: {
  readonly read: () => Promise<{ sources: Source[]; fiscalYear: number }>;
  readonly ledger: Figures;
  /** A figure that grows while the projector works (records it has processed). */
  readonly progress: () => number;
  readonly quietMs?: number;
  readonly timeoutMs?: number;
  readonly log: (line: string) => void;
}): Promise<ReportsWait> => {
  const { read, ledger, progress, quietMs = 60_000, timeoutMs = 30 * 60_000, log } = options;
  const started = Date.now();
  let lastChange = started;
  let lastLog = started;
  let seen = '';
  for (;;) {
    const answer = await read();
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    const { differences } = compareSources(ledger, answer.sources);
    if (differences.length === 0) return { seconds, caughtUp: true, ...answer };
    const now = Date.now();
    const state = JSON.stringify([answer.sources, progress()]);
    if (state !== seen) {
      seen = state;
      lastChange = now;
    }
    if (now - lastChange >= quietMs || now - started >= timeoutMs) {
      return { seconds, caughtUp: false, ...answer };
    }
    if (now - lastLog >= 10_000) {
      lastLog = now;
      log(`  the reports are still behind the ledger after ${seconds} s: ${differences[0]}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
};
