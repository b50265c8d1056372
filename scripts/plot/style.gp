# Shared style of svmsim's plots.  Each plot script loads this, then draws
# once per format:  do for [fmt in formats] { eval term(fmt); ... }
# Its inputs: data (a TSV file or directory), out (output path without
# extension), ttl (a title suffix: kernel, accelerator, vCPUs).
set datafile separator "\t"
set datafile missing "NaN"
set grid lc rgb "#dddddd"
set border lw 1.2
set key box opaque samplen 2 spacing 1.1
set style line 1 lc rgb "#1f77b4" lw 2 pt 7 ps 0.7
set style line 2 lc rgb "#d62728" lw 2 pt 5 ps 0.7
set style line 3 lc rgb "#2ca02c" lw 2 pt 9 ps 0.7
set style line 4 lc rgb "#555555" lw 2 pt 13 ps 0.7 dt 2
set style line 5 lc rgb "#9467bd" lw 2 pt 11 ps 0.7
set style line 6 lc rgb "#aaaaaa" lw 2 pt 3 ps 0.7 dt 3
formats = "png svg"
term(fmt) = fmt eq "png" ? \
	sprintf("set terminal pngcairo enhanced size %d,%d font 'Sans,10'; set output '%s.png'", W, H, out) : \
	sprintf("set terminal svg enhanced size %d,%d dynamic font 'Sans,10'; set output '%s.svg'", W, H, out)
# Panel titles and files by name.
f(name) = data."/".name.".tsv"
