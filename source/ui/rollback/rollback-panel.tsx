// The rollback panel (overlay 'rollback', key R): the chosen procedure with
// the exact commands it will run, dangerous ones and missing values marked;
// `y` (typed on its own, never pasted or batched) starts it; then the steps'
// progress and the running step's output; r / s / a at a failure.
// Esc or q hides the panel; a running rollback carries on (R shows it again).
// The panel's text scrolls (PgDn/PgUp/Space/g/G; j/k too when there is one
// procedure), and `y` is refused until the whole plan has been on screen.
import {useState} from 'react';
import {Box, Text} from 'ink';
import type {StepStatus} from '../../engine/types.js';
import type {RollbackView} from '../../store/rollback-slice.js';
import {STATUS_GLYPH, statusColor} from '../glyphs.js';
import {isDeliberate, type Key} from '../input/keys.js';
import {LAYER_OVERLAY, useKeys} from '../input/key-context.js';
import {editText} from '../overlays/overlays.js';
import {overlayRuleKey} from '../overlays/overlay-rule.js';
import {useScrollGate} from '../overlays/scroll-frame.js';
import {outputWindow} from '../panes/output-lines.js';
import {pickLines, stepCommandLines} from './plan-extras.js';
import {useTheme} from '../theme.js';
import {useCockpit, useCockpitStore, useShallow} from '../use-cockpit.js';

const REFUSED = 'that key arrived together with other input (a paste?) — press it again on its own';

export function RollbackPanel({width, height}: {width: number; height: number}) {
	const theme = useTheme();
	const store = useCockpitStore();
	const open = useCockpit(s => s.overlay === 'rollback');
	const view = useCockpit(s => s.rollback);
	const banner = useCockpit(s => s.triggerBanner);
	const dryRun = useCockpit(s => s.dryRun);
	const forward = useCockpit(useShallow(s => s.forwardRunning()));
	const [refused, setRefused] = useState(false);
	const [gateMessage, setGateMessage] = useState<string | null>(null);
	// The scroll gate is defined below (it needs the rows); keys reach it through this ref.
	const gateRef = {current: null as ReturnType<typeof useScrollGate> | null};

	useKeys(
		(key: Key) => {
			const s = store.getState();
			const v = s.rollback;
			setRefused(false);
			setGateMessage(null);
			const deliberate = () => {
				if (isDeliberate(key)) return true;
				setRefused(true);
				return false;
			};
			// Esc / q / ? as in every overlay; while a value is typed q and ? are text, Esc goes back.
			const close = () => (v.phase === 'fill' ? store.setState({rollback: {...v, phase: 'choose', message: null}}) : s.closeOverlay());
			if (overlayRuleKey(s, key, close, v.phase === 'fill')) return true;
			const gate = gateRef.current;
			// j/k/↑/↓ choose the procedure when there are several; Space is "done" at a manual step.
			// With no procedure, j/k/↑/↓ move the section picker instead.
			const nothingToChoose = v.procedures.length === 1 || (v.procedures.length === 0 && v.pick.sections.length === 0);
			const lettersFree = (v.phase === 'choose' && nothingToChoose) || v.phase === 'running' || v.phase === 'failed' || v.phase === 'finished';
			const arrowsFree = v.phase !== 'fill' && (v.phase !== 'choose' || nothingToChoose);
			if (gate && v.phase !== 'fill' && gate.scrollKey(key, {arrows: arrowsFree, letters: lettersFree})) return true;
			if (key.paste) {
				if (v.phase === 'fill') {
					const name = v.fields[v.field];
					if (name !== undefined) s.rollbackSetValue(editText(v.values[name] ?? '', key) ?? '');
				} else setRefused(true);
				return true;
			}
			switch (v.phase) {
				case 'choose':
					if (v.procedures.length === 0) {
						if (key.name === 'up' || key.name === 'k') s.rollbackPickMove(-1);
						else if (key.name === 'down' || key.name === 'j') s.rollbackPickMove(1);
						else if (key.name === 'enter' && deliberate()) s.rollbackPickSection();
						return true;
					}
					if (key.name === 'up' || key.name === 'k') s.rollbackChoose(-1);
					else if (key.name === 'down' || key.name === 'j') s.rollbackChoose(1);
					else if (key.name === 'y' && !key.ctrl && !key.meta) {
						if (!deliberate()) return true;
						// What you start is what you read: the whole plan must have been on screen.
						if (gate && !gate.seenAll) setGateMessage(gate.refusal);
						else s.rollbackConfirm();
					} else if (key.name === 'enter') store.setState({rollback: {...v, message: 'Enter never starts a rollback — press y'}});
					else if (key.name === 'd') s.dismissTrigger();
					else if (key.name === 'c' && deliberate()) s.rollbackCancelForward();
					return true;
				case 'fill': {
					if (key.name === 'enter' || key.name === 'tab') {
						if (deliberate()) s.rollbackNextField();
						return true;
					}
					const name = v.fields[v.field];
					if (name === undefined) return true;
					const next = editText(v.values[name] ?? '', key);
					if (next !== null) s.rollbackSetValue(next);
					return true;
				}
				case 'running':
					if (key.name === 'c' && deliberate()) s.rollbackCancelForward();
					else if (key.name === 'x' && deliberate()) s.rollbackCancelStep();
					return true;
				case 'failed':
					if ((key.name === 'r' || key.name === 's' || key.name === 'a') && deliberate()) s.rollbackRespond(key.name === 'r' ? 'retry' : key.name === 's' ? 'skip' : 'abort');
					else if (key.name === 'c' && deliberate()) s.rollbackCancelForward();
					return true;
				case 'manual':
					if (key.name === 'space' && deliberate()) s.rollbackManualDone();
					else if ((key.name === 's' || key.name === 'a') && deliberate()) s.rollbackRespond(key.name === 's' ? 'skip' : 'abort');
					return true;
				case 'finished':
					if (key.name === 'R' || key.name === 'enter') s.rollbackPrepare();
					return true;
			}
			return true;
		},
		{active: open, layer: LAYER_OVERLAY},
	);

	const inner = Math.max(1, width - 2);
	const lines: React.ReactNode[] = [];
	const push = (node: React.ReactNode) => lines.push(<Box key={lines.length} height={1} width={inner} overflow="hidden">{node}</Box>);
	const procedure = view.procedures[view.chosen];
	const running = view.phase === 'running' || view.phase === 'failed' || view.phase === 'manual' || view.phase === 'finished';

	if (banner) push(<Text color={theme.crit} bold wrap="truncate-end">{`⚑ ${banner}`}</Text>);
	if (forward.length > 0 && view.phase !== 'finished') {
		push(<Text color={theme.warn} wrap="truncate-end">{`forward step${forward.length > 1 ? 's' : ''} still running: ${forward.join(', ')} — left alone (c cancels)`}</Text>);
	}

	if (view.procedures.length === 0) {
		push(<Text bold color={theme.warn}>This checklist has no rollback procedure.</Text>);
		if (view.externalLoading) push(<Text color={theme.muted}>loading the rollback runbook…</Text>);
		if (view.externalError) push(<Text color={theme.crit} wrap="truncate-end">{view.externalError}</Text>);
		if (view.references.length > 0) {
			push(<Text>Rollback documents it mentions:</Text>);
			for (const r of view.references) push(<Text wrap="truncate-end">{`  • ${r.target}${r.text && r.text !== r.target ? ` (${r.text})` : ''} — line ${r.line}`}</Text>);
		}
		if (!view.externalLoading) pickLines(view, theme, push);
	} else if (!running) {
		if (view.procedures.length > 1) {
			push(<Text color={theme.muted}>Procedures (↑/↓ choose):</Text>);
			view.procedures.slice(0, 6).forEach((p, k) => {
				const sel = k === view.chosen;
				push(
					<Text wrap="truncate-end" bold={sel} color={sel ? theme.accent : undefined}>
						{`${sel ? '› ' : '  '}${p.title} (${p.steps.length} step${p.steps.length === 1 ? '' : 's'})${p.source === 'file' ? ' · runbook file' : ''}${p.immediate ? ' · immediate' : ''}`}
					</Text>,
				);
			});
		}
		planLines(view, inner, theme, push, dryRun);
	} else if (view.run) {
		const run = view.run;
		run.steps.forEach((s, k) => {
			const here = k === run.index && run.outcome === 'running';
			push(
				<Text wrap="truncate-end" bold={here}>
					<Text color={statusColor(s.status, theme)}>{`${here ? '›' : ' '} ${STATUS_GLYPH[s.status as StepStatus] ?? '·'} `}</Text>
					{`${s.title}`}
					<Text color={theme.muted}>{s.exitCode !== null ? `  exit ${s.exitCode}` : ''}{s.error ? `  ${s.error}` : ''}</Text>
				</Text>,
			);
		});
	}

	if (view.phase === 'fill') {
		push(<Text color={theme.warn}>Values for the rollback (placeholders are required, variables may stay empty):</Text>);
		view.fields.forEach((name, k) => {
			const active = k === view.field;
			push(
				<Text wrap="truncate-end">
					<Text color={active ? theme.accent : theme.muted}>{active ? '› ' : '  '}</Text>
					<Text bold={active}>{view.required.includes(name) ? `<${name}>` : `$${name}`}</Text>
					{' = '}
					{view.values[name] ?? ''}
					{active ? <Text inverse> </Text> : null}
				</Text>,
			);
		});
	}

	// Messages stay on a fixed row under the scrolling text.
	const notes: React.ReactNode[] = [];
	if (view.message) notes.push(<Text key="m" color={view.phase === 'failed' ? theme.crit : theme.warn} wrap="truncate-end">{view.message}</Text>);
	if (refused) notes.push(<Text key="r" color={theme.warn} wrap="truncate-end">{REFUSED}</Text>);
	if (gateMessage) notes.push(<Text key="g" color={theme.warn} wrap="truncate-end">{gateMessage}</Text>);

	// Output of the rollback step below the list, filling what is left.
	const frameLines = Math.max(1, height - 4 - notes.length);
	const listView = running && view.run && !view.run.dry ? Math.min(lines.length, Math.max(1, frameLines - 4)) : frameLines;
	const gate = useScrollGate(lines.length, listView, `${view.chosen}:${procedure?.key ?? ''}:${running ? 'run' : 'plan'}`);
	gateRef.current = gate;
	const below = Math.max(0, lines.length - gate.offset - listView);
	let outputLines: string[] = [];
	if (running && view.run && !view.run.dry) {
		const room = Math.max(0, frameLines - Math.min(lines.length, listView) - 1);
		if (room > 0) {
			const tail = store.getState().rollbackOutput();
			outputLines = outputWindow(tail, inner, room, 0, theme.color).lines;
		}
	}
	const title = titleOf(view, procedure?.title, dryRun) + (lines.length > listView ? ` · ${gate.offset + 1}–${gate.offset + Math.min(listView, lines.length - gate.offset)} of ${lines.length}${below > 0 ? ` ↓${below} (PgDn)` : ' (end)'}` : '');
	return (
		<Box flexDirection="column" width={width} height={height} borderStyle="round" borderColor={view.phase === 'failed' || banner ? theme.crit : theme.accent} overflow="hidden">
			<Text bold color={theme.accent} wrap="truncate-end">
				{title}
			</Text>
			<Box flexDirection="column" flexGrow={1} overflow="hidden">
				{lines.slice(gate.offset, gate.offset + listView)}
				{outputLines.length > 0 ? (
					<Box flexDirection="column" height={outputLines.length + 1} overflow="hidden">
						<Text color={theme.muted} wrap="truncate-end">{`── output: ${view.run?.steps[view.run.index]?.title ?? ''}`}</Text>
						{outputLines.map((l, k) => (
							<Text key={k} wrap="truncate-end">
								{l}
							</Text>
						))}
					</Box>
				) : null}
			</Box>
			{notes}
			<Text color={theme.muted} wrap="truncate-end">
				{footerOf(view, dryRun, !!banner)}
			</Text>
		</Box>
	);
}

function titleOf(view: RollbackView, procedure: string | undefined, dryRun: boolean): string {
	const dry = dryRun ? ' · DRY RUN' : '';
	if (view.run && view.phase !== 'choose' && view.phase !== 'fill') {
		const done = view.run.steps.filter(s => s.status === 'done' || s.status === 'skipped').length;
		const state = view.run.outcome === 'running' ? (view.phase === 'failed' ? 'step failed' : view.phase === 'manual' ? 'manual step' : 'running') : view.run.outcome;
		return `Rollback · ${view.run.title} · ${state} · ${done}/${view.run.steps.length}${dry}`;
	}
	return procedure ? `Rollback · ${procedure}${dry}` : `Rollback${dry}`;
}

function footerOf(view: RollbackView, dryRun: boolean, trigger: boolean): string {
	switch (view.phase) {
		case 'choose':
			if (view.procedures.length === 0) return view.pick.sections.length > 0 ? '↑/↓ section · Enter makes it the rollback · Esc closes' : 'Esc closes';
			return `${dryRun ? 'y shows what would run (dry run)' : 'y starts the rollback'}${view.procedures.length > 1 ? ' · ↑/↓ procedure' : ''}${trigger ? ' · d dismisses the trigger' : ''} · Esc closes`;
		case 'fill':
			return 'type a value · Enter next (last one starts) · Esc back';
		case 'running':
			return 'x cancels this rollback step · c cancels running forward steps · Esc hides (rollback continues)';
		case 'failed':
			return 'r retry · s skip · a abort · Esc hides';
		case 'manual':
			return 'manual step: do it, then Space · s skip · a abort';
		case 'finished':
			return 'Esc closes · R / Enter shows the procedures again';
	}
}

function planLines(view: RollbackView, inner: number, theme: ReturnType<typeof useTheme>, push: (n: React.ReactNode) => void, dryRun: boolean): void {
	push(<Text color={theme.muted}>{dryRun ? 'Would run (dry run — nothing will be started):' : 'Will run, in order:'}</Text>);
	view.plan.forEach(step => {
		push(
			<Text bold wrap="truncate-end">
				{`${step.heading}${step.manual ? '  (manual)' : ''}`}
			</Text>,
		);
		stepCommandLines(step, theme, push);
		const missing = [...step.preflight.placeholders.map(p => `<${p}>`), ...step.preflight.unsetVars.filter(v => view.fields.includes(v)).map(v => `$${v} unset`)];
		if (missing.length > 0) push(<Text color={theme.warn} wrap="truncate-end">{`   needs: ${missing.join(', ')}`}</Text>);
	});
	void inner;
}
