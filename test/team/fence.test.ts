// The check a member puts another member's event through before reducing it.
import {describe, expect, it} from 'vitest';
import type {RecordEvent} from '../../source/session/events.js';
import {reduce} from '../../source/session/reducer.js';
import {freshState} from '../../source/session/state-file.js';
import {rejectRemote} from '../../source/team/fence.js';

const started = (runId: string, fence: number | undefined, by: string): RecordEvent => ({
	kind: 'run-started',
	at: '2026-11-27T02:14:00.000Z',
	by,
	host: `${by}-bastion`,
	stepId: 'db/migrate',
	runId,
	title: 'Migrate',
	logPath: `/runs/${runId}.log`,
	...(fence !== undefined ? {fence} : {}),
});
const ended = (runId: string): RecordEvent => ({kind: 'run-ended', at: '2026-11-27T02:20:00.000Z', stepId: 'db/migrate', runId, status: 'done', exitCode: 0});

function applyRemote(state: ReturnType<typeof freshState>, event: RecordEvent) {
	return rejectRemote(state, event) ? state : reduce(state, event);
}

describe('fencing tokens on remote records', () => {
	it('a run under an older claim than the step\'s current one is refused, and its end changes nothing', () => {
		let state = freshState('s', '/w.md', 'h', '/');
		state = applyRemote(state, started('run-new', 7, 'bo'));
		expect(state.steps['db/migrate']).toMatchObject({status: 'running', fence: 7, by: 'bo', host: 'bo-bastion'});
		// ana's claim (token 6) expired during a pause; her records arrive late.
		expect(rejectRemote(state, started('run-stale', 6, 'ana'))).toMatch(/stale fencing token 6 < 7/);
		state = applyRemote(state, started('run-stale', 6, 'ana'));
		state = applyRemote(state, ended('run-stale'));
		expect(state.steps['db/migrate']).toMatchObject({status: 'running', runId: 'run-new', by: 'bo'});
		state = applyRemote(state, ended('run-new'));
		expect(state.steps['db/migrate']).toMatchObject({status: 'done', runId: 'run-new', fence: 7});
		// A newer claim is taken.
		state = applyRemote(state, started('run-later', 8, 'ana'));
		expect(state.steps['db/migrate']).toMatchObject({status: 'running', runId: 'run-later', fence: 8, by: 'ana'});
	});

	it('events that stay on their machine are not taken from others', () => {
		const state = freshState('s', '/w.md', 'h', '/');
		expect(rejectRemote(state, {kind: 'shell-carried', shell: {cwd: '/elsewhere', vars: {A: '1'}}})).toBeTruthy();
		expect(rejectRemote(state, {kind: 'taken-over', at: 'x', by: 'bo'})).toBeTruthy();
		expect(rejectRemote(state, started('r', undefined, 'bo'))).toBeUndefined();
	});
});
