// Key dispatch for the whole cockpit. Raw stdin goes through our KeyParser;
// handlers registered with useKeys are tried from the highest layer down
// (overlays use LAYER_OVERLAY so they see keys before the panes), newest
// first within a layer; a handler returning true consumes the key.
import {createContext, useContext, useEffect, useMemo, useRef, type ReactNode} from 'react';
import type {Key} from './keys.js';
import {KeyParser} from './parse-keys.js';

export type KeyHandler = (key: Key) => boolean | void;

export const LAYER_BASE = 0;
export const LAYER_PANEL = 50;
export const LAYER_OVERLAY = 100;

interface Entry {
	handler: {current: KeyHandler};
	active: {current: boolean};
	layer: number;
	order: number;
}

export interface KeyRegistry {
	register(entry: Omit<Entry, 'order'>): () => void;
	dispatch(key: Key): void;
	/**
	 * Sees raw input before the parser and returns what the parser still gets
	 * (typing into a step: the program gets the bytes as the terminal sent them).
	 */
	tap?: (chunk: string) => string;
}

export function createKeyRegistry(): KeyRegistry {
	let entries: Entry[] = [];
	let order = 0;
	return {
		register(entry) {
			const full = {...entry, order: order++};
			entries.push(full);
			entries.sort((a, b) => b.layer - a.layer || b.order - a.order);
			return () => {
				entries = entries.filter(e => e !== full);
			};
		},
		dispatch(key) {
			for (const entry of [...entries]) {
				if (!entry.active.current) continue;
				if (entry.handler.current(key) === true) return;
			}
		},
	};
}

/** Anything emitting 'data' with terminal input (process.stdin in raw mode, a test stream). */
export interface InputStream {
	on(event: 'data', listener: (chunk: string | Buffer) => void): unknown;
	off(event: 'data', listener: (chunk: string | Buffer) => void): unknown;
}

const KeysContext = createContext<KeyRegistry | null>(null);

export function KeysProvider({input, escTimeoutMs, onInput, children}: {input: InputStream; escTimeoutMs?: number; onInput?: () => void; children: ReactNode}) {
	const registry = useMemo(() => createKeyRegistry(), []);
	useEffect(() => {
		const parser = new KeyParser({onKey: key => registry.dispatch(key), escTimeoutMs});
		const onData = (chunk: string | Buffer) => {
			onInput?.();
			const rest = registry.tap ? registry.tap(typeof chunk === 'string' ? chunk : chunk.toString('utf8')) : chunk;
			if (rest.length > 0) parser.feed(rest);
		};
		input.on('data', onData);
		return () => {
			input.off('data', onData);
			parser.dispose();
		};
	}, [input, registry, escTimeoutMs, onInput]);
	return <KeysContext.Provider value={registry}>{children}</KeysContext.Provider>;
}

/** Installs the raw input tap (one at a time). */
export function useInputTap(tap: (chunk: string) => string): void {
	const registry = useContext(KeysContext);
	const tapRef = useRef(tap);
	tapRef.current = tap;
	useEffect(() => {
		if (!registry) return;
		registry.tap = chunk => tapRef.current(chunk);
		return () => {
			registry.tap = undefined;
		};
	}, [registry]);
}

/**
 * Receives keys while `active`. Return true to consume the key. Actions that
 * start something irreversible must check isDeliberate(key) (see keys.ts).
 */
export function useKeys(handler: KeyHandler, {active = true, layer = LAYER_BASE}: {active?: boolean; layer?: number} = {}): void {
	const registry = useContext(KeysContext);
	const handlerRef = useRef(handler);
	handlerRef.current = handler;
	const activeRef = useRef(active);
	activeRef.current = active;
	useEffect(() => {
		if (!registry) return;
		return registry.register({handler: handlerRef, active: activeRef, layer});
	}, [registry, layer]);
}
