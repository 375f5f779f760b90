// `o`: the full log in $PAGER (less by default) on the real terminal.
import {spawn} from 'node:child_process';

export function pageFile(path: string): Promise<number | null> {
	const pager = process.env.PAGER || 'less -R';
	return new Promise((resolve, reject) => {
		const child = spawn(`${pager} "$DEPLOYCOCKPIT_LOG"`, {shell: true, stdio: 'inherit', env: {...process.env, DEPLOYCOCKPIT_LOG: path}});
		child.on('error', reject);
		child.on('exit', code => resolve(code));
	});
}
