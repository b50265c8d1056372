# Overhead of binding the device: p50 latency of each operation bound over
# unbound (same run, interleaved), one cached page per operation, by
# kernel and peer (the null-notifier floor in both shapes, the kernel's
# HMM mirror, svmsim's three models); the median of three rounds.  1.0 is
# free; the dashed line is the 1.10 target.  A peer with no run (zap has
# no floor or mirror) is NaN: no bar.
load gpdir."/style.gp"
W = 1400; H = 520
ncol = system("head -1 ".data." | awk -F'\t' '{print NF}'") + 0
do for [fmt in formats] {
	eval term(fmt)
	set title "Overhead ratio, bound p50 / unbound p50 (median of 3 runs), one cached page per op -- ".ttl
	set style data histograms
	set style histogram clustered gap 1.5
	set style fill solid 0.85 border -1
	set boxwidth 0.9
	set ylabel "bound / unbound (p50)"
	set yrange [0:*]
	set key outside right top font ",8"
	set xtics nomirror
	set grid ytics
	set arrow 1 from graph 0, first 1.10 to graph 1, first 1.10 nohead dt 2 lc rgb "#444444"
	set arrow 2 from graph 0, first 1.0 to graph 1, first 1.0 nohead lc rgb "#444444"
	# colour by peer (the order of peers), shade by kernel
	np = words(peers)
	plot for [i=2:ncol] data u i:xtic(1) t columnhead(i) \
		lc rgb word("#aaaaaa #666666 #9467bd #1f77b4 #d62728 #2ca02c", (i - 2) % np + 1) \
		fs solid (0.35 + 0.55 * ((i - 2) / np % 2))
}
