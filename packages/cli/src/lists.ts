/**
 * `lindung lists upload|show`: a sponsor's eligibility list (e.g. the P3KE extreme-poverty list) through the
 * API. `upload` reads a file of NIKs (the first column of each line) and sends it in parts of 1.000, with a
 * progress bar; the API keeps each NIK as a keyed hash only, so `show` can say how many workers the list holds,
 * never who.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { formatNumber, MAX_LIST_NIKS, niksOfListText } from '@lindung/core';
import { type CliIo, type Command, EXIT_CODES, UsageError } from './command.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connect } from './http.js';
import { ProgressBar } from './progress.js';

const usage = (verb: 'upload' | 'show') => `Usage:
  lindung lists ${verb} --sponsor <id> --list <name>${verb === 'upload' ? ' <file.csv>' : ''} [options]

${
  verb === 'upload'
    ? 'Puts the NIKs of a file (first column; a header or other lines are skipped) on a sponsor’s eligibility list.'
    : 'Shows how many workers a sponsor’s eligibility list holds.'
}

Options:
  --sponsor <id>             the sponsor whose list it is
  --list <name>              the list's name, e.g. p3ke (lower-case letters, digits, dashes)
  -h, --help                 show this help

${CONNECTION_USAGE}`;

const OPTIONS = {
  sponsor: { type: 'string' },
  list: { type: 'string' },
  ...CONNECTION_OPTIONS,
} as const;

const listCommand = (verb: 'upload' | 'show'): Command => ({
  summary:
    verb === 'upload' ? 'upload NIKs to a sponsor’s eligibility list' : 'show an eligibility list’s size',
  usage: usage(verb),
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: OPTIONS,
      strict: true,
      allowPositionals: verb === 'upload',
    });
    if (!values.sponsor) throw new UsageError('--sponsor is required');
    if (!values.list) throw new UsageError('--list is required');
    const path = { sponsorId: values.sponsor, list: values.list };
    let niks: string[] = [];
    if (verb === 'upload') {
      if (positionals.length !== 1) throw new UsageError('name one file of NIKs');
      const read = niksOfListText(await readFile(positionals[0] as string, 'utf8'));
      if (read.niks.length === 0)
        throw new UsageError('the file holds no NIK (16 digits in the first column)');
      niks = read.niks;
      io.stderr.write(
        `${formatNumber(niks.length)} NIKs read, ${formatNumber(read.skipped)} lines skipped\n`,
      );
    }
    const client = await connect(values, { roles: ['admin'] }, io);
    let members: number;
    if (verb === 'show') {
      members = (
        await client.send(client.api.GET('/v1/sponsors/{sponsorId}/lists/{list}', { params: { path } }))
      ).members;
    } else {
      const bar = new ProgressBar(io.stderr, niks.length, 'NIKs sent');
      members = 0;
      for (let sent = 0; sent < niks.length; sent += MAX_LIST_NIKS) {
        const part = niks.slice(sent, sent + MAX_LIST_NIKS);
        const answer = await client.send(
          client.api.POST('/v1/sponsors/{sponsorId}/lists/{list}/members', {
            params: { path },
            body: { niks: part },
          }),
        );
        members = answer.members;
        bar.update(sent + part.length);
      }
      bar.finish();
    }
    io.stdout.write(`List ${path.list} of sponsor ${path.sponsorId}: ${formatNumber(members)} workers.\n`);
    return EXIT_CODES.ok;
  },
});

export const uploadListCommand = listCommand('upload');
export const showListCommand = listCommand('show');
