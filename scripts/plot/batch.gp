# Batching in queued mode (MADV_DONTNEED of 8 pages by T threads at once, range
# model, 2 ms device latency): descriptors the device completed under
# one wait, the operation's p50 and the operations per second, one
# descriptor per wait (qi-batch 1) against up to 32, and up to 32 with a
# 1 ms coalescing window.
load gpdir."/style.gp"
W = 1500; H = 440
do for [fmt in formats] {
	eval term(fmt)
	set multiplot layout 1,3 title "Queued invalidation batching, dontneed by T threads, 2 ms device latency -- ".ttl
	set xlabel "threads invalidating at once (T)"
	set logscale x 2
	set xtics (1, 2, 4, 8)
	set xrange [0.8:10]
	set key top left
	set title "descriptors completed per device wait"
	set ylabel "qi\\_descs / qi\\_batches"
	plot f("batch-1") u 1:2 w lp ls 1 t "qi-batch 1", \
	     f("batch-32") u 1:2 w lp ls 2 t "qi-batch 32", \
	     f("batch-32w") u 1:2 w lp ls 3 t "qi-batch 32, 1 ms window"
	set title "the operation"
	set ylabel "bound p50 (us)"
	plot f("batch-1") u 1:($3/1000) w lp ls 1 t "qi-batch 1", \
	     f("batch-32") u 1:($3/1000) w lp ls 2 t "qi-batch 32", \
	     f("batch-32w") u 1:($3/1000) w lp ls 3 t "qi-batch 32, 1 ms window"
	set title "throughput"
	set ylabel "operations per second"
	plot f("batch-1") u 1:4 w lp ls 1 t "qi-batch 1", \
	     f("batch-32") u 1:4 w lp ls 2 t "qi-batch 32", \
	     f("batch-32w") u 1:4 w lp ls 3 t "qi-batch 32, 1 ms window"
	unset multiplot
}
