/**
 * A folder-output stage for tests: /bin/sh with the input as "$1" and the result folder as "$2". The input holds a
 * count N and a tag ("N\ntag\n"): it writes `page-1.txt … page-N.txt` (each "<tag> page i") and `sub/extra.txt` (the tag).
 */
export const pagesStage = {
  use: 'exec',
  with: {
    command: ['/bin/sh', '-c', [
      'n=$(head -n1 "$1"); tag=$(sed -n 2p "$1"); i=1',
      'while [ "$i" -le "$n" ]; do echo "$tag page $i" > "$2/page-$i.txt"; i=$((i+1)); done',
      'mkdir -p "$2/sub" && echo "$tag" > "$2/sub/extra.txt"',
    ].join('\n'), 'sh', '{in}', '{outDir}'],
  },
};
