// Issue 17: the workflows out of the store. The one fill form both flows
// use, the one output throttle, and the cockpit not writing globals.
import {readFileSync} from 'node:fs';
import {afterEach, describe, expect, it} from 'vitest';
import {parseChecklist} from '../../source/checklist/parse.js';
import {cockpitDeps, createCockpitStore, startEngines} from '../../source/store/index.js';
import {nextFill, setFill, type FillForm} from '../../source/workflows/fill-form.js';
import {Throttle} from '../../source/workflows/throttle.js';
import {MemorySession} from '../ui/memory-session.js';

const form = (over: Partial<FillForm> = {}): FillForm => ({fields: ['HOST', 'TAG', 'REGION'], required: ['HOST', 'TAG'], values: {}, field: 0, ...over});

describe('the fill form', () => {
	it('says which required value is missing, moves to the next empty field, and completes when the required ones are set', () => {
		expect(nextFill(form())).toEqual({kind: 'missing', name: 'HOST'});
		const host = setFill(form(), 'db1');
		expect(host.values).toEqual({HOST: 'db1'});
		expect(nextFill(host)).toEqual({kind: 'field', field: 1});
		const tag = setFill({...host, field: 1}, 'v2');
		// REGION is optional and empty: it is offered, then the form completes without it.
		expect(nextFill(tag)).toEqual({kind: 'field', field: 2});
		expect(nextFill({...tag, field: 2})).toEqual({kind: 'complete'});
		// A required field skipped over (moved away from) is where it goes back to.
		expect(nextFill({...form({values: {TAG: 'v2'}}), field: 2})).toEqual({kind: 'field', field: 0});
	});

	it('with every field required (a step preflight) nothing completes while one is empty', () => {
		const all = form({required: ['HOST', 'TAG', 'REGION'], values: {HOST: 'a', TAG: 'b'}, field: 1});
		expect(nextFill(all)).toEqual({kind: 'field', field: 2});
		expect(nextFill({...all, field: 2})).toEqual({kind: 'missing', name: 'REGION'});
	});
});

describe('the output throttle', () => {
	it('turns a burst of pokes into one flush, and nothing after stop', async () => {
		let flushes = 0;
		const throttle = new Throttle(50, () => flushes++);
		for (let i = 0; i < 1000; i++) throttle.poke();
		await new Promise(resolve => setTimeout(resolve, 100));
		expect(flushes).toBe(1);
		throttle.poke();
		throttle.stop();
		await new Promise(resolve => setTimeout(resolve, 100));
		expect(flushes).toBe(1);
	});
});

describe('assembling the cockpit', () => {
	const saved = process.env.PROMETHEUS_URL;
	afterEach(() => {
		if (saved === undefined) delete process.env.PROMETHEUS_URL;
		else process.env.PROMETHEUS_URL = saved;
	});

	it('--prometheus does not write process.env; two cockpits in one process keep their own workflows', () => {
		delete process.env.PROMETHEUS_URL;
		const file = new URL('../fixtures/ui/basic.md', import.meta.url);
		const checklist = parseChecklist(readFileSync(file, 'utf8'), file.pathname);
		const stops: Array<() => void> = [];
		const stores = ['http://127.0.0.1:1', 'http://127.0.0.1:2'].map(prometheus => {
			const deps = cockpitDeps({session: new MemorySession(checklist), options: {file: file.pathname, dryRun: false, prometheus}, config: {}, now: () => Date.now(), env: {}});
			const store = createCockpitStore(deps);
			stops.push(startEngines(store, deps));
			return {store, deps};
		});
		try {
			expect(process.env.PROMETHEUS_URL).toBeUndefined();
			expect(stores[0]!.deps.workflows).not.toBe(stores[1]!.deps.workflows);
			expect(stores[0]!.deps.workflows.rollback).not.toBe(stores[1]!.deps.workflows.rollback);
		} finally {
			for (const stop of stops) stop();
		}
	});
});
