import {afterEach, describe, expect, it} from 'vitest';
import {MemorySession} from './memory-session.js';
import {fixtureChecklist, renderCockpit, type Rendered} from './render-cockpit.js';

let r: Rendered | undefined;
afterEach(() => r?.unmount());

describe('smoke', () => {
	it('renders', async () => {
		const session = new MemorySession(fixtureChecklist('basic.md'));
		r = await renderCockpit(session);
		expect(r.frame()).toContain('Widget service release');
	});
});
