// The panes' key handler: maps keys (through the user's keymap) to store
// actions. Overlays have their own handlers on a higher layer.
import {useEffect, useMemo} from 'react';
import type {CockpitStore} from '../store/index.js';
import {isDeliberate, type Key} from './input/keys.js';
import {chordBytes} from './input/chord.js';
import {LAYER_BASE, LAYER_OVERLAY, LAYER_PANEL, useInputTap, useKeys} from './input/key-context.js';
import {actionFor, buildBindings} from './keymap.js';
import type {Keymap} from '../store/options.js';

/** Overlays drawn by other parts; Esc closes them unless they consume it. */
const PANEL_OVERLAYS = new Set(['rollback', 'flags']);

export function dispatchAction(store: CockpitStore, action: string, key: Key, pageSize: number): boolean {
	const s = store.getState();
	switch (action) {
		case 'up':
			s.move(-1);
			return true;
		case 'down':
			s.move(1);
			return true;
		case 'pageUp':
			s.page(-1, pageSize);
			return true;
		case 'pageDown':
			s.page(1, pageSize);
			return true;
		case 'first':
			s.moveEdge('first');
			return true;
		case 'last':
			s.moveEdge('last');
			return true;
		case 'nextPane':
			s.cyclePane(1);
			return true;
		case 'prevPane':
			s.cyclePane(-1);
			return true;
		case 'run':
		case 'runInteractive':
			// In the sections pane Enter opens the section: it never runs a step that is out of view.
			if (s.pane === 'sections') {
				s.focusPane('steps');
				return true;
			}
			// Never start a command from typed-ahead or pasted input.
			if (!isDeliberate(key)) {
				s.showFlash('that key arrived together with other input (a paste?) — press it again on its own', 'warn');
				return true;
			}
			s.requestRun(undefined, {interactive: action === 'runInteractive'});
			return true;
		case 'toggleDone':
			s.toggleDone();
			return true;
		case 'skip':
			s.skip();
			return true;
		case 'fail':
			s.markFailed();
			return true;
		case 'nextPending':
			s.nextPending();
			return true;
		case 'find':
			s.openFind();
			return true;
		case 'findNext':
			s.findRepeat();
			return true;
		case 'startWindow':
			s.startWindowNow();
			return true;
		case 'interact':
			s.interact();
			return true;
		case 'cancel':
			s.requestCancel();
			return true;
		case 'openLog':
			s.openLog();
			return true;
		case 'rollback':
			s.openOverlay('rollback');
			return true;
		case 'flags':
			s.openOverlay('flags');
			return true;
		case 'baseline':
			s.recaptureBaseline();
			s.showFlash('baseline recaptured');
			return true;
		case 'help':
			s.openOverlay('help');
			return true;
		case 'quit':
			if (!isDeliberate(key)) {
				s.showFlash('q arrived together with other input — press it again on its own', 'warn');
				return true;
			}
			s.requestQuit();
			return true;
		case 'interrupt':
			s.requestQuit(true);
			return true;
		default:
			return false;
	}
}

const YIELDS_TO_ROLLBACK = new Set(['help', 'confirm-cancel', 'confirm-quit', 'confirm-rerun', 'confirm-unclaimed']);

export function useCockpitKeys(store: CockpitStore, keymap: Keymap | undefined, pageSize: number) {
	const {bindings, keysOf, problems} = useMemo(() => buildBindings(keymap), [keymap]);
	// A bad keymap entry is reported at start (after any notice already shown).
	useEffect(() => {
		if (problems.length === 0) return;
		const s = store.getState();
		s.showFlash([s.flash?.text, ...problems].filter(Boolean).join(' · '), 'warn');
	}, [problems, store]);
	// Typing into a step: every byte goes to the program until the leave chord.
	const leave = chordBytes(keysOf('leaveInteract')[0]);
	useInputTap(chunk => {
		const s = store.getState();
		if (!s.interacting) return chunk;
		const at = chunk.indexOf(leave);
		if (at < 0) {
			s.typeIntoStep(chunk);
			return '';
		}
		if (at > 0) s.typeIntoStep(chunk.slice(0, at));
		s.leaveInteract();
		return chunk.slice(at + leave.length);
	});
	// Ctrl-C anywhere asks before quitting (above every overlay but the quit dialog itself).
	useKeys(
		key => {
			if (!(key.ctrl && key.name === 'c')) return false;
			const s = store.getState();
			if (s.overlay === 'confirm-quit') return true;
			if (s.overlay === 'preflight') return false; // the preflight overlay treats it as "abandon"
			s.requestQuit(true);
			return true;
		},
		{layer: LAYER_OVERLAY + 10},
	);
	// An overlay showing its `?` key list: ?, Esc and q hide the list, other keys wait.
	useKeys(
		key => {
			const s = store.getState();
			if (!s.overlay || !s.overlayKeys) return false;
			if (!key.ctrl && !key.meta && (key.name === 'escape' || key.name === 'q' || key.name === '?')) s.toggleOverlayKeys();
			return true;
		},
		{layer: LAYER_OVERLAY + 1},
	);
	// The rollback key must work "from anywhere": overlays that take no text
	// (help, the cancel/quit questions) give way to the rollback panel.
	useKeys(
		key => {
			const s = store.getState();
			if (!s.overlay || !YIELDS_TO_ROLLBACK.has(s.overlay) || key.paste) return false;
			if (actionFor(bindings, key) !== 'rollback') return false;
			s.openOverlay('rollback');
			return true;
		},
		{layer: LAYER_OVERLAY + 5},
	);
	// Esc for panels drawn by other parts, when they do not consume it.
	useKeys(
		key => {
			const s = store.getState();
			if (!s.overlay || !PANEL_OVERLAYS.has(s.overlay)) return false;
			if (key.name === 'escape') s.closeOverlay();
			return true;
		},
		{layer: LAYER_PANEL},
	);
	useKeys(
		key => {
			const s = store.getState();
			if (s.overlay) return true;
			if (key.paste) {
				s.showFlash('pasted text ignored: the cockpit runs nothing from a paste', 'warn');
				return true;
			}
			const action = actionFor(bindings, key);
			if (!action) return false;
			return dispatchAction(store, action, key, pageSize);
		},
		{layer: LAYER_BASE},
	);
	return keysOf;
}
