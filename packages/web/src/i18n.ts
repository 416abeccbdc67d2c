/** The dashboard's words, Indonesian first (the default) and English. */
import type { Lang } from './format.js';

const words = {
  appTitle: ['Lindung — Dasbor', 'Lindung — Dashboard'],
  tagline: [
    'Iuran BPJS Ketenagakerjaan pekerja rentan',
    'BPJS Ketenagakerjaan premiums of vulnerable workers',
  ],
  signIn: ['Masuk', 'Sign in'],
  signOut: ['Keluar', 'Sign out'],
  signInAs: ['Masuk sebagai pengguna demo', 'Sign in as a demo user'],
  signInCognito: ['Masuk dengan akun Lindung', 'Sign in with your Lindung account'],
  signingIn: ['Sedang masuk…', 'Signing in…'],
  signInFailed: ['Gagal masuk', 'Sign-in failed'],
  cognitoMissing: [
    'Masuk lewat Cognito belum dikonfigurasi (config.json tanpa cognitoDomain).',
    'Cognito sign-in is not configured (config.json has no cognitoDomain).',
  ],
  noDemoData: [
    'Belum ada data. Jalankan `npm run demo` lalu muat ulang.',
    'No data yet. Run `npm run demo` and reload.',
  ],
  financeOfficer: ['Petugas keuangan', 'Finance officer'],
  villageOperator: ['Operator desa', 'Village operator'],
  auditor: ['Auditor', 'Auditor'],
  overview: ['Ikhtisar', 'Overview'],
  villages: ['Desa', 'Villages'],
  invoices: ['Tagihan', 'Invoices'],
  fiscalYear: ['Tahun anggaran', 'Fiscal year'],
  target: ['Target', 'Target'],
  covered: ['Tercakup', 'Covered'],
  coverage: ['Cakupan', 'Coverage'],
  committed: ['Komitmen', 'Committed'],
  allocated: ['Kuota', 'Quota'],
  reserved: ['Dicadangkan', 'Reserved'],
  spent: ['Terpakai (dibayar)', 'Spent'],
  released: ['Dilepas', 'Released'],
  remaining: ['Sisa kuota', 'Quota left'],
  used: ['Kuota terpakai', 'Quota used'],
  unallocated: ['Belum dialokasikan', 'Unallocated'],
  regions: ['Wilayah', 'Regions'],
  region: ['Wilayah', 'Region'],
  expand: ['Buka', 'Expand'],
  collapse: ['Tutup', 'Collapse'],
  burnChart: ['Realisasi anggaran per bulan', 'Budget burn per month'],
  monthlySpent: ['Dibayar per bulan', 'Spent per month'],
  cumulativeSpent: ['Kumulatif', 'Cumulative'],
  forecast: ['Perkiraan', 'Forecast'],
  forecastText: [
    'Dengan laju {burn} per bulan, dana tersisa cukup untuk {months} bulan lagi (sampai {through}).',
    'At {burn} a month, the money left lasts {months} more months (through {through}).',
  ],
  forecastNone: ['Belum ada pembayaran untuk perkiraan.', 'Nothing spent yet to forecast from.'],
  commitment: ['Komitmen', 'Commitment'],
  search: ['Cari desa atau kode…', 'Search village or code…'],
  village: ['Desa/Kelurahan', 'Village'],
  code: ['Kode', 'Code'],
  workers: ['Pekerja', 'Workers'],
  nik: ['NIK', 'NIK'],
  name: ['Nama', 'Name'],
  start: ['Mulai', 'Start'],
  end: ['Berakhir', 'End'],
  status: ['Status', 'Status'],
  number: ['Nomor', 'Number'],
  period: ['Periode', 'Period'],
  total: ['Total', 'Total'],
  lines: ['Baris', 'Lines'],
  allStates: ['Semua status', 'All states'],
  noWorkers: ['Belum ada pekerja.', 'No workers yet.'],
  noInvoices: ['Belum ada tagihan.', 'No invoices yet.'],
  noRows: ['Tidak ada desa yang cocok.', 'No matching village.'],
  loading: ['Memuat…', 'Loading…'],
  error: ['Terjadi kesalahan', 'Something went wrong'],
  back: ['Kembali', 'Back'],
  shown: ['{n} dari {total} desa', '{n} of {total} villages'],
  'state.issued': ['Diterbitkan', 'Issued'],
  'state.sent': ['Terkirim', 'Sent'],
  'state.acknowledged': ['Diakui', 'Acknowledged'],
  'state.paid': ['Lunas', 'Paid'],
  'state.void': ['Batal', 'Void'],
  'state.draft': ['Draf', 'Draft'],
  'state.active': ['Aktif', 'Active'],
  'state.terminated': ['Dihentikan', 'Terminated'],
  'state.expired': ['Berakhir', 'Expired'],
  'state.lapsed': ['Nonaktif', 'Lapsed'],
  'level.national': ['Nasional', 'National'],
  'level.province': ['Provinsi', 'Province'],
  'level.regency': ['Kabupaten/Kota', 'Regency/City'],
  'level.district': ['Kecamatan', 'District'],
  'level.village': ['Desa/Kelurahan', 'Village'],
  'level.commitment': ['Komitmen', 'Commitment'],
} as const satisfies Record<string, readonly [string, string]>;

export type WordKey = keyof typeof words;

/** A word in a language, with `{name}` placeholders filled in. */
export const t = (lang: Lang, key: WordKey, values: Record<string, string | number> = {}): string => {
  const text = words[key][lang === 'id' ? 0 : 1];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));
};

/** A state's name (invoice or enrollment), or the state itself if unknown. */
export const stateName = (lang: Lang, state: string): string =>
  `state.${state}` in words ? t(lang, `state.${state}` as WordKey) : state;
