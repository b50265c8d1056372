# Overhead against the device's completion latency (sync, range model, one
# cached page per operation): bound p50 / unbound p50 for munmap, COW and
# migrate as the simulated latency grows.
load gpdir."/style.gp"
W = 700; H = 440
do for [fmt in formats] {
	eval term(fmt)
	set title "Overhead against device latency, range model, sync -- ".ttl
	set xlabel "simulated invalidation completion latency (us)"
	set ylabel "bound p50 / unbound p50"
	set key top left
	plot f("devlat-munmap") u ($1/1000):2 w lp ls 1 t "munmap", \
	     f("devlat-cow") u ($1/1000):2 w lp ls 2 t "cow", \
	     f("devlat-migrate") u ($1/1000):2 w lp ls 3 t "migrate"
}
