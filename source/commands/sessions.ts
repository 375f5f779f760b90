// Placeholder until its part lands; replaced by the owner of 'sessions'.
export async function run(_argv: string[]): Promise<number> {
	process.stderr.write('deploycockpit: sessions is not implemented yet\n');
	return 1;
}
