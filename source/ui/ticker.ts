// One shared animation clock for every spinner. It runs only while some
// spinner is mounted (i.e. something is running) and at a low rate, and only
// the spinner components subscribe, so a tick re-renders a few glyphs, never
// the whole tree.
import {useSyncExternalStore} from 'react';

export const TICK_HZ = 4;
export const SPINNER_FRAMES = ['◐', '◓', '◑', '◒'];

let frame = 0;
let timer: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
	listeners.add(listener);
	if (!timer) {
		timer = setInterval(() => {
			frame = (frame + 1) % 1_000_000;
			for (const l of listeners) l();
		}, 1000 / TICK_HZ);
		timer.unref?.();
	}
	return () => {
		listeners.delete(listener);
		if (listeners.size === 0 && timer) {
			clearInterval(timer);
			timer = undefined;
		}
	};
}

export function useTick(): number {
	return useSyncExternalStore(subscribe, () => frame);
}

/** Ticks once a second (clocks, running durations), shared the same way. */
let second = Math.floor(Date.now() / 1000);
let secondTimer: ReturnType<typeof setInterval> | undefined;
const secondListeners = new Set<() => void>();

function subscribeSecond(listener: () => void): () => void {
	secondListeners.add(listener);
	if (!secondTimer) {
		secondTimer = setInterval(() => {
			second = Math.floor(Date.now() / 1000);
			for (const l of secondListeners) l();
		}, 1000);
		secondTimer.unref?.();
	}
	return () => {
		secondListeners.delete(listener);
		if (secondListeners.size === 0 && secondTimer) {
			clearInterval(secondTimer);
			secondTimer = undefined;
		}
	};
}

export function useSecond(): number {
	return useSyncExternalStore(subscribeSecond, () => second);
}
