// The cockpit's root: providers, then the layout. The frame is always
// exactly rows - 1 lines (root Box height + overflow hidden), never <Static>.
import {useEffect} from 'react';
import {Box, Text, useApp} from 'ink';
import type {CockpitStore} from '../store/index.js';
import type {Keymap} from '../store/options.js';
import {useCockpitKeys} from './cockpit-keys.js';
import {FlagPanel} from './flags/flag-panel.js';
import {Header} from './header.js';
import {HintBar} from './hint-bar.js';
import {KeysProvider, type InputStream} from './input/key-context.js';
import {computeRegions} from './layout-math.js';
import {ConfirmOverlay, FindOverlay, HelpOverlay, PreflightOverlay} from './overlays/overlays.js';
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

function Cockpit({store, keymap, onQuit}: {store: CockpitStore; keymap?: Keymap; onQuit?: () => void}) {
	const {exit} = useApp();
	const {columns, rows} = useTerminalSize();
	const hasTiles = useCockpit(s => s.tiles.length > 0);
	const hasBanner = useCockpit(s => !!s.triggerBanner);
	const overlay = useCockpit(s => s.overlay);
	const pane = useCockpit(s => s.pane);
	const quitting = useCockpit(s => s.quitting);
	const r = computeRegions(columns, rows, {tiles: hasTiles, banner: hasBanner});
	const pageSize = Math.max(1, (pane === 'detail' ? r.detail.height : r.steps.height) - 2);
	const keysOf = useCockpitKeys(store, keymap, pageSize);

	useEffect(() => {
		if (!quitting) return;
		onQuit?.();
		exit();
	}, [quitting, exit, onQuit]);

	let body: React.ReactNode;
	if (overlay === 'rollback') body = <RollbackPanel width={r.width} height={r.body} />;
	else if (overlay === 'flags') body = <FlagPanel width={r.width} height={r.body} />;
	else if (overlay === 'help') body = <HelpOverlay width={r.width} height={r.body} keysOf={keysOf} />;
	else if (overlay === 'find') body = <FindOverlay width={r.width} height={r.body} />;
	else if (overlay === 'preflight') body = <PreflightOverlay width={r.width} height={r.body} />;
	else if (overlay === 'confirm-cancel' || overlay === 'confirm-quit') body = <ConfirmOverlay width={r.width} height={r.body} kind={overlay as 'confirm-cancel' | 'confirm-quit'} />;
	else if (r.wide) {
		body = (
			<Box flexDirection="row" height={r.body} width={r.width}>
				<SectionsPane width={r.sections.width} height={r.body} focused={pane === 'sections'} />
				<Separator height={r.body} />
				<StepsPane width={r.steps.width} height={r.body} focused={pane === 'steps'} />
				<Separator height={r.body} />
				<DetailPane width={r.detail.width} height={r.body} focused={pane === 'detail'} />
			</Box>
		);
	} else {
		body = (
			<Box flexDirection="column" height={r.body} width={r.width}>
				{pane === 'sections' ? (
					<SectionsPane width={r.width} height={r.steps.height} focused />
				) : (
					<StepsPane width={r.width} height={r.steps.height} focused={pane === 'steps'} />
				)}
				<DetailPane width={r.width} height={r.detail.height} focused={pane === 'detail'} />
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
			<Box height={r.body} width={r.width} overflow="hidden">
				{body}
			</Box>
			<HintBar width={r.width} keysOf={keysOf} />
		</Box>
	);
}
