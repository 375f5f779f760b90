// Placeholder until its part lands; replaced by the owner of 'run'.
export async function run(_argv: string[]): Promise<number> {
	process.stderr.write('deploycockpit: run is not implemented yet\n');
	return 1;
}
