// Status is always a glyph plus colour, never colour alone (NO_COLOR,
// colour-blind operators, monochrome screenshots in incident reviews).
import type {StepStatus} from '../engine/types.js';
import type {Theme} from './theme.js';

export const STATUS_GLYPH: Record<StepStatus, string> = {
	pending: '○',
	running: '◐',
	done: '✓',
	failed: '✗',
	skipped: '↷',
	cancelled: '⊘',
	interrupted: '!',
};

export function statusColor(status: StepStatus, theme: Theme): string | undefined {
	switch (status) {
		case 'done':
			return theme.ok;
		case 'failed':
		case 'interrupted':
			return theme.crit;
		case 'cancelled':
			return theme.warn;
		case 'running':
			return theme.accent;
		case 'skipped':
		case 'pending':
			return theme.muted;
	}
}

export const ROLLBACK_MARK = '⟲';
/** Team mode: the step ran on more than one machine with no claim ordering the runs (shown before its badge). */
export const CONFLICT_MARK = '⇄';
export const TRIGGER_MARK = '⚑';
export const CURSOR = '›';

export function badgeOf(executors: Array<string | null>): string {
	const runnable = executors.filter((e): e is string => e !== null);
	if (runnable.length === 0) return 'manual';
	const first = runnable[0]!;
	return {shell: 'sh', sql: 'sql', redis: 'redis', promql: 'prom'}[first] ?? first;
}

export function formatDuration(ms: number | undefined | null): string {
	if (ms === undefined || ms === null || !Number.isFinite(ms) || ms < 0) return '';
	if (ms < 1000) return `${Math.round(ms)}ms`;
	const s = ms / 1000;
	if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)}s`;
	const m = Math.floor(s / 60);
	if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
	return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** hh:mm:ss for the window clock. */
export function clock(ms: number): string {
	const total = Math.max(0, Math.floor(ms / 1000));
	const h = Math.floor(total / 3600);
	const m = Math.floor((total % 3600) / 60);
	const s = total % 60;
	return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}
