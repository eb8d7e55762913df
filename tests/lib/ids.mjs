// Valid citizen ID numbers for tests (GB 11643 check character).
const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
export function idNumber(area, birth /* YYYYMMDD */, seq /* 0..999 */) {
  const body = `${area}${birth}${String(seq).padStart(3, '0')}`
  const s = [...body].reduce((acc, d, i) => acc + Number(d) * W[i], 0)
  return body + '10X98765432'[s % 11]
}
