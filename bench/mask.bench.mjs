// The masker alone, in-process: CPU time (user + system, so a busy machine
// moves it less than wall time) to mask 100 MB through the stream masker the
// runner uses, in 64 KiB chunks, for plain flood lines, prose and log-like
// lines full of `key=value` and `:` (which wake most rules). Two ways in:
// text (`write`, what the runner did before) and bytes (`writeBytes`, what it
// does now: lines without a trigger pass as the same bytes). Median of several runs.
import {dirname, join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {median} from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TOTAL = 100_000_000;
const INPUTS = {
	'plain lines (100 × x)': 'x'.repeat(100) + '\n',
	'prose lines': 'the quick brown fox jumps over the lazy dog and then some more words here ok\n',
	'log lines (key=value, quotes, paths)': '2026-11-27T10:00:00Z level=info msg="request done" path=/api/v1/users status=200 duration=12ms\n',
};

export default async function ({runs}) {
	const {createStreamMasker} = await import(pathToFileURL(join(root, 'dist', 'safety', 'mask.js')).href);
	const env = {...process.env, API_TOKEN: 'bench-token-abcdef-123456', DB_PASSWORD: 'bench-pw-998877'};
	const rows = [];
	for (const [name, line] of Object.entries(INPUTS)) {
		const chunk = line.repeat(Math.floor(65536 / line.length));
		const bytes = Buffer.from(chunk);
		const time = feed => {
			const times = [];
			for (let r = 0; r < Math.max(3, runs); r++) {
				const masker = createStreamMasker(env);
				const start = process.cpuUsage();
				for (let n = 0; n < TOTAL; n += chunk.length) feed(masker);
				masker.end();
				const used = process.cpuUsage(start);
				times.push((used.user + used.system) / 1000);
			}
			return Math.round(median(times));
		};
		const text = time(m => m.write(chunk));
		const viaBytes = time(m => m.writeBytes(bytes, () => undefined));
		rows.push({name: `masking 100 MB in-process, ${name}`, value: viaBytes, unit: 'ms CPU', baseline: 'the same as text (write)', baselineValue: text, note: 'createStreamMasker, 64 KiB chunks, bytes in (writeBytes)'});
	}
	return rows;
}
