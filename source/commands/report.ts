// Placeholder until its part lands; replaced by the owner of 'report'.
export async function run(_argv: string[]): Promise<number> {
	process.stderr.write('deploycockpit: report is not implemented yet\n');
	return 1;
}
