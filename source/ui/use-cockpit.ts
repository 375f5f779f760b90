// How components read the store: useCockpit(selector) re-renders only when
// the selected value changes (use useShallow for objects/arrays).
import {createContext, useContext} from 'react';
import {useStore} from 'zustand';
import type {CockpitState, CockpitStore} from '../store/index.js';

export const StoreContext = createContext<CockpitStore | null>(null);

export function useCockpitStore(): CockpitStore {
	const store = useContext(StoreContext);
	if (!store) throw new Error('useCockpit outside <StoreContext.Provider>');
	return store;
}

export function useCockpit<T>(selector: (state: CockpitState) => T): T {
	return useStore(useCockpitStore(), selector);
}

export {useShallow} from 'zustand/react/shallow';
