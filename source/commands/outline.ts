// Placeholder until its part lands; replaced by the owner of 'outline'.
export async function run(_argv: string[]): Promise<number> {
	process.stderr.write('deploycockpit: outline is not implemented yet\n');
	return 1;
}
