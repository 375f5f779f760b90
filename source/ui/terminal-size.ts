import {useEffect, useState} from 'react';
import {useStdout} from 'ink';

export interface Size {
	columns: number;
	rows: number;
}

/** The terminal size, following resizes. */
export function useTerminalSize(): Size {
	const {stdout} = useStdout();
	const read = (): Size => ({columns: stdout.columns || 80, rows: stdout.rows || 24});
	const [size, setSize] = useState(read);
	useEffect(() => {
		const onResize = () => setSize(prev => {
			const next = read();
			return prev.columns === next.columns && prev.rows === next.rows ? prev : next;
		});
		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout]);
	return size;
}
