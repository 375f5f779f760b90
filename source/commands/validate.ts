// Placeholder until its part lands; replaced by the owner of 'validate'.
export async function run(_argv: string[]): Promise<number> {
	process.stderr.write('deploycockpit: validate is not implemented yet\n');
	return 1;
}
