# Sourced by the bench scripts: middle reads numbers on stdin, one a line, and prints their
# median (the mean of the two middle ones for an even count) and how many there were, or
# "- 0" when there were none.
middle() {
  sort -g | awk '{v[NR] = $1} END {if (NR == 0) print "- 0"; else print ((NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), NR}'
}
