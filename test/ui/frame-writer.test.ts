import {EventEmitter} from 'node:events';
import {describe, expect, it} from 'vitest';
import {FrameWriter} from '../../source/ui/frame-writer.js';

class Term extends EventEmitter {
	writes: string[] = [];
	columns = 40;
	rows = 6;
	write(data: string) {
		this.writes.push(data);
		return true;
	}
}

describe('frame writer', () => {
	it('writes only the lines that changed, addressed absolutely', () => {
		const term = new Term();
		const w = new FrameWriter(term);
		w.frame('one\ntwo\nthree');
		w.flush();
		expect(term.writes).toHaveLength(1);
		expect(term.writes[0]).toContain('\x1b[1;1Hone');
		expect(term.writes[0]).toContain('\x1b[3;1Hthree');
		w.frame('one\nTWO\nthree');
		w.flush();
		expect(term.writes[1]).toBe('\x1b[2;1HTWO\x1b[0m\x1b[K');
		// An identical frame writes nothing.
		w.frame('one\nTWO\nthree');
		w.flush();
		expect(term.writes).toHaveLength(2);
		w.dispose();
	});

	it('never writes the last terminal row and clears lines a shorter frame no longer uses', () => {
		const term = new Term();
		const w = new FrameWriter(term);
		w.frame('1\n2\n3\n4\n5\n6\n7');
		w.flush();
		expect(term.writes[0]).not.toContain('\x1b[6;1H');
		w.frame('1\n2');
		w.flush();
		expect(term.writes[1]).toContain('\x1b[3;1H\x1b[0m\x1b[K');
		w.dispose();
	});

	it('repaints everything after a resize and writes nothing while paused', () => {
		const term = new Term();
		const w = new FrameWriter(term);
		w.frame('a\nb');
		w.flush();
		w.pause();
		w.frame('a\nc');
		w.flush();
		expect(term.writes).toHaveLength(1);
		w.resume();
		w.flush();
		expect(term.writes[1]).toContain('\x1b[2J');
		expect(term.writes[1]).toContain('\x1b[1;1Ha');
		expect(term.writes[1]).toContain('\x1b[2;1Hc');
		term.emit('resize');
		w.flush();
		expect(term.writes[2]).toContain('\x1b[1;1Ha');
		w.dispose();
	});

	it('coalesces a burst of frames into one write', async () => {
		const term = new Term();
		const w = new FrameWriter(term);
		for (let i = 0; i < 100; i++) w.frame(`frame ${i}`);
		await new Promise(r => setTimeout(r, 50));
		expect(term.writes).toHaveLength(1);
		expect(term.writes[0]).toContain('frame 99');
		w.dispose();
	});
});

describe('frame writer: keys first', () => {
	it('a frame answering a key skips the rate limit', async () => {
		const term = new Term();
		const w = new FrameWriter(term, 60_000);
		w.frame('a');
		w.flush();
		w.frame('b');
		// Within the rate limit: waits.
		await new Promise(r => setImmediate(r));
		expect(term.writes).toHaveLength(1);
		w.expedite();
		await new Promise(r => setImmediate(r));
		expect(term.writes).toHaveLength(2);
		expect(term.writes[1]).toContain('b');
		w.dispose();
	});
});
