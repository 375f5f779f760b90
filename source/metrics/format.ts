// Number formatting per tile unit. Values are stored in base units: percent and
// ratio are fractions (0.012 → 1.20%), seconds are seconds, ms are milliseconds.
import type {TileUnit} from './types.js';

function trim(n: number, digits: number): string {
	const text = n.toFixed(digits);
	return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** About three significant digits, without trailing zeros. */
export function short(n: number): string {
	const a = Math.abs(n);
	if (a === 0) return '0';
	if (a >= 100) return trim(n, 0);
	if (a >= 10) return trim(n, 1);
	if (a >= 1) return trim(n, 2);
	if (a >= 0.001) return trim(n, 3 - Math.floor(Math.log10(a)) - 1);
	return n.toExponential(1);
}

function si(n: number, suffix = ''): string {
	const a = Math.abs(n);
	if (a >= 1e9) return `${short(n / 1e9)}G${suffix}`;
	if (a >= 1e6) return `${short(n / 1e6)}M${suffix}`;
	if (a >= 1e4) return `${short(n / 1e3)}k${suffix}`;
	return `${short(n)}${suffix}`;
}

function duration(seconds: number): string {
	const a = Math.abs(seconds);
	const sign = seconds < 0 ? '-' : '';
	if (a === 0) return '0s';
	if (a < 1e-3) return `${sign}${short(a * 1e6)}µs`;
	if (a < 1) return `${sign}${short(a * 1e3)}ms`;
	if (a < 60) return `${sign}${short(a)}s`;
	if (a < 3600) return `${sign}${Math.floor(a / 60)}m${String(Math.round(a % 60)).padStart(2, '0')}s`;
	return `${sign}${Math.floor(a / 3600)}h${String(Math.floor((a % 3600) / 60)).padStart(2, '0')}m`;
}

function bytes(n: number): string {
	const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
	let v = Math.abs(n);
	let i = 0;
	while (v >= 1024 && i < units.length - 1) {
		v /= 1024;
		i++;
	}
	return `${n < 0 ? '-' : ''}${i === 0 ? String(Math.round(v)) : short(v)} ${units[i]}`;
}

export function formatValue(value: number | null, unit: TileUnit): string {
	if (value === null) return '—';
	if (Number.isNaN(value)) return 'NaN';
	if (value === Number.POSITIVE_INFINITY) return '+Inf';
	if (value === Number.NEGATIVE_INFINITY) return '-Inf';
	switch (unit) {
		case 'percent': {
			const p = value * 100;
			const a = Math.abs(p);
			return `${a >= 100 || a === 0 ? trim(p, 0) : a >= 10 ? p.toFixed(1) : p.toFixed(2)}%`;
		}
		case 'ratio':
			return short(value);
		case 'seconds':
			return duration(value);
		case 'ms':
			return duration(value / 1000);
		case 'bytes':
			return bytes(value);
		case 'reqps':
			return si(value, '/s');
		case 'plain':
			return si(value);
	}
}

/** Signed difference in the tile's unit: `+0.40%`, `-12ms`, `+1.2k/s`. */
export function formatDelta(delta: number, unit: TileUnit): string {
	if (!Number.isFinite(delta)) return '';
	const text = formatValue(Math.abs(delta), unit);
	return `${delta < 0 ? '-' : '+'}${text}`;
}

/** `35s`, `4m`, `2h` */
export function formatAge(ms: number): string {
	const s = Math.max(0, Math.floor(ms / 1000));
	if (s < 60) return `${s}s`;
	if (s < 3600) return `${Math.floor(s / 60)}m`;
	return `${Math.floor(s / 3600)}h`;
}

const BARS = '▁▂▃▄▅▆▇█';

/** The last `width` values as a block sparkline, scaled to their own min..max. */
export function sparkline(values: readonly number[], width: number): string {
	if (width <= 0) return '';
	const shown = values.filter(v => Number.isFinite(v)).slice(-width);
	if (shown.length === 0) return '';
	let min = Infinity;
	let max = -Infinity;
	for (const v of shown) {
		if (v < min) min = v;
		if (v > max) max = v;
	}
	const span = max - min;
	let out = '';
	for (const v of shown) {
		const i = span === 0 ? 0 : Math.round(((v - min) / span) * (BARS.length - 1));
		out += BARS[i];
	}
	return out;
}
