// The cockpit's root: providers, then the layout. The frame is always
// exactly rows - 1 lines (root Box height + overflow hidden), never <Static>.
import {useEffect, useMemo} from 'react';
import stringWidth from 'string-width';
import type {Checklist} from '../checklist/model.js';
import {Box, Text, useApp} from 'ink';
import type {CockpitStore} from '../store/index.js';
import type {Keymap} from '../store/options.js';
import {useCockpitKeys} from './cockpit-keys.js';
import {FlagPanel} from './flags/flag-panel.js';
import {Header} from './header.js';
import {HintBar} from './hint-bar.js';
import {KeysProvider, type InputStream} from './input/key-context.js';
import {computeRegions} from './layout-math.js';
import {OverlayKeysBox} from './overlays/overlay-rule.js';
import {FindOverlay, HelpOverlay, Popup, popupContent, popupHeight, POPUPS} from './overlays/overlays.js';
import {DetailPane} from './panes/detail-pane.js';
import {SectionsPane} from './panes/sections-pane.js';
import {StepsPane} from './panes/steps-pane.js';
import {RollbackPanel} from './rollback/rollback-panel.js';
import {TriggerBanner} from './rollback/trigger-banner.js';
import {useTerminalSize} from './terminal-size.js';
import {ThemeContext, useTheme, type Theme} from './theme.js';
import {TilesRow} from './tiles/tiles-row.js';
import {StoreContext, useCockpit} from './use-cockpit.js';

export interface AppProps {
	store: CockpitStore;
	theme: Theme;
	input: InputStream;
	keymap?: Keymap;
	escTimeoutMs?: number;
	/** Called on every chunk of terminal input (the frame writer answers keys first). */
	onInput?: () => void;
	/** Called once when the user confirmed quitting (before Ink unmounts). */
	onQuit?: () => void;
}

export function App({store, theme, input, keymap, escTimeoutMs, onInput, onQuit}: AppProps) {
	return (
		<StoreContext.Provider value={store}>
			<ThemeContext.Provider value={theme}>
				<KeysProvider input={input} escTimeoutMs={escTimeoutMs} onInput={onInput}>
					<Cockpit store={store} keymap={keymap} onQuit={onQuit} />
				</KeysProvider>
			</ThemeContext.Provider>
		</StoreContext.Provider>
	);
}

function Separator({height}: {height: number}) {
	const theme = useTheme();
	return (
		<Box width={1} height={height} flexDirection="column" flexShrink={0}>
			<Text color={theme.border}>{Array.from({length: height}, () => '│').join('\n')}</Text>
		</Box>
	);
}

/** Columns the longest section and step rows want (see layout-math: width goes to the words). */
function contentNeeds(checklist: Checklist): {sectionsNeed: number; stepsNeed: number} {
	const minDepth = Math.min(...checklist.sections.map(s => s.depth), 6);
	let sectionsNeed = 0;
	for (const s of checklist.sections) sectionsNeed = Math.max(sectionsNeed, stringWidth(s.title) + 2 * Math.max(0, s.depth - minDepth));
	const parents = new Map(checklist.steps.map(s => [s.id, s.parent] as const));
	let stepsNeed = 0;
	for (const step of checklist.steps) {
		let depth = 0;
		for (let p = step.parent; p && depth < 6; p = parents.get(p) ?? null) depth++;
		stepsNeed = Math.max(stepsNeed, stringWidth(step.title) + 2 * depth);
	}
	// Cursor and progress/marks around a section title; cursor, glyph, badge and duration around a step's.
	return {sectionsNeed: sectionsNeed + 10, stepsNeed: stepsNeed + 18};
}

function Cockpit({store, keymap, onQuit}: {store: CockpitStore; keymap?: Keymap; onQuit?: () => void}) {
	const {exit} = useApp();
	const {columns, rows} = useTerminalSize();
	const hasTiles = useCockpit(s => s.tiles.length > 0);
	const hasBanner = useCockpit(s => !!s.triggerBanner);
	const overlay = useCockpit(s => s.overlay);
	const overlayKeys = useCockpit(s => s.overlayKeys);
	const pane = useCockpit(s => s.pane);
	const quitting = useCockpit(s => s.quitting);
	const checklist = useCockpit(s => s.checklist);
	const needs = useMemo(() => contentNeeds(checklist), [checklist]);
	const base = computeRegions(columns, rows, {tiles: hasTiles, banner: hasBanner, ...needs});
	// A confirmation takes rows at the bottom of the body; the panes keep the step in view above it.
	const popupRows = useCockpit(s => popupHeight(popupContent(s, base.width - 2), base.body));
	const wantPopup = overlay !== null && POPUPS.has(overlay) ? (overlayKeys ? 12 : popupRows) : 0;
	const r = computeRegions(columns, rows, {tiles: hasTiles, banner: hasBanner, ...needs, popup: wantPopup, detailFocused: pane === 'detail'});
	const pageSize = Math.max(1, (pane === 'detail' ? r.detail.height : r.steps.height) - 2);
	const keysOf = useCockpitKeys(store, keymap, pageSize);
	const leaveKey = keysOf('leaveInteract')[0] ?? 'ctrl+]';

	useEffect(() => {
		if (!quitting) return;
		onQuit?.();
		exit();
	}, [quitting, exit, onQuit]);

	const panesHeight = r.body - r.popup;
	// Full-body overlays show their `?` key list in place of their body.
	const fullKeys = overlayKeys && (overlay === 'rollback' || overlay === 'flags' || overlay === 'find');
	let body: React.ReactNode;
	if (fullKeys) body = <OverlayKeysBox overlay={overlay!} width={r.width} height={r.body} />;
	else if (overlay === 'rollback') body = <RollbackPanel width={r.width} height={r.body} />;
	else if (overlay === 'flags') body = <FlagPanel width={r.width} height={r.body} />;
	else if (overlay === 'help') body = <HelpOverlay width={r.width} height={r.body} keysOf={keysOf} />;
	else if (overlay === 'find') body = <FindOverlay width={r.width} height={r.body} />;
	else if (r.wide) {
		body = (
			<Box flexDirection="row" height={panesHeight} width={r.width}>
				<SectionsPane width={r.sections.width} height={panesHeight} focused={pane === 'sections'} />
				<Separator height={panesHeight} />
				<StepsPane width={r.steps.width} height={panesHeight} focused={pane === 'steps'} />
				<Separator height={panesHeight} />
				<DetailPane width={r.detail.width} height={panesHeight} focused={pane === 'detail'} leaveKey={leaveKey} />
			</Box>
		);
	} else {
		body = (
			<Box flexDirection="column" height={panesHeight} width={r.width}>
				{pane === 'sections' ? (
					<SectionsPane width={r.width} height={r.steps.height} focused />
				) : (
					<StepsPane width={r.width} height={r.steps.height} focused={pane === 'steps'} />
				)}
				{r.detail.height > 0 ? <DetailPane width={r.width} height={r.detail.height} focused={pane === 'detail'} leaveKey={leaveKey} /> : null}
			</Box>
		);
	}

	return (
		<Box flexDirection="column" width={r.width} height={r.frameHeight} overflow="hidden">
			<Header width={r.width} />
			{r.tiles > 0 ? <TilesRow width={r.width} height={r.tiles} /> : null}
			{r.banner > 0 ? (
				<Box height={1} width={r.width} overflow="hidden">
					<TriggerBanner width={r.width} />
				</Box>
			) : null}
			<Box height={r.body} width={r.width} overflow="hidden" flexDirection="column">
				{body}
				{r.popup > 0 ? <Popup width={r.width} height={r.popup} /> : null}
			</Box>
			<HintBar width={r.width} keysOf={keysOf} />
		</Box>
	);
}
