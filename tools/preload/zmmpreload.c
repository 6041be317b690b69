/*
 * zmmpreload - an LD_PRELOAD module that records a program's malloc family
 * calls as a .zmt trace (zmmrecord -- CMD sets it up).
 *
 * Environment:
 *   ZMMRECORD_OUT   the trace file of the first process (required)
 *   ZMMRECORD_PID   the PID that writes ZMMRECORD_OUT; every other process
 *                   (a fork child, or a program it starts) writes OUT.PID
 *   ZMMRECORD_RUN   a token naming this recording; an exec'd image that
 *                   finds its file already written by the same run appends
 *                   to it after a `reset`
 *
 * Every op is recorded under one lock, held around the real call and the
 * write, so the trace is one order that all threads agree on.  Block IDs
 * are b<serial>, never the address: an address is reused, an ID is not.
 * The recorder's own work never allocates with malloc (raw syscalls, mmap)
 * and a per-thread guard lets whatever it calls pass through unrecorded.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../recorder/addrmap.h"

/* glibc declares these only in <malloc.h>, which would clash with ours. */
void	*memalign(size_t, size_t);
void	*pvalloc(size_t);

#define EXPORT __attribute__((visibility("default")))

/* What the hooks chain to. */
static void	*(*real_malloc)(size_t);
static void	*(*real_calloc)(size_t, size_t);
static void	*(*real_realloc)(void *, size_t);
static void	 (*real_free)(void *);
static int	 (*real_posix_memalign)(void **, size_t, size_t);
static void	*(*real_aligned_alloc)(size_t, size_t);
static void	*(*real_memalign)(size_t, size_t);
static int	 (*real_execve)(const char *, char *const [], char *const []);
static int	 (*real_execvpe)(const char *, char *const [], char *const []);
static void	 (*real__exit)(int);

/*
 * dlsym() may itself call calloc before the real one is known: those
 * early blocks come from here and are never given back.
 */
static _Alignas(16) unsigned char boot_buf[64 * 1024];
static size_t boot_used;

/* Initial-exec: a lazily set up TLS slot would call malloc itself. */
static __thread int in_hook __attribute__((tls_model("initial-exec")));

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int resolving;		/* inside dlsym during start-up */
static int ready;		/* real functions known */
static int recording;		/* a trace file is open */
static int finished;		/* exit handlers ran: write through */
static int out_fd = -1;
static char out_path[4096];

static char wbuf[64 * 1024];
static size_t wlen;

/* Live blocks: address -> ID serial, on pages mapped for it, not malloc'd. */
static void *map_pages(size_t bytes);
static void unmap_pages(void *mem, size_t bytes);
static struct addrmap live = { NULL, 0, 0, map_pages, unmap_pages };
static uint64_t next_id = 1;

static int
in_boot(const void *p)
{
	return (const unsigned char *)p >= boot_buf &&
	    (const unsigned char *)p < boot_buf + sizeof(boot_buf);
}

static void *
boot_alloc(size_t size)
{
	size_t need = (size + 15) & ~(size_t)15;
	void *p;

	if (need < size || need > sizeof(boot_buf) - boot_used)
		return NULL;
	p = boot_buf + boot_used;
	boot_used += need;
	return p;		/* static storage: already zero */
}

/* ---- writing ----------------------------------------------------- */

static void
write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;		/* a full disk loses the tail, not the program */
		s += w;
		n -= (size_t)w;
	}
}

static void
flush_out(void)
{
	if (out_fd >= 0 && wlen > 0)
		write_all(out_fd, wbuf, wlen);
	wlen = 0;
}

static void
put(const char *s, size_t n)
{
	if (n > sizeof(wbuf) - wlen)
		flush_out();
	if (n > sizeof(wbuf)) {
		write_all(out_fd, s, n);
		return;
	}
	memcpy(wbuf + wlen, s, n);
	wlen += n;
}

static void
puts_out(const char *s)
{
	put(s, strlen(s));
}

/* Decimal without printf: snprintf may allocate for some locales. */
static void
put_u64(uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	put(tmp + i, sizeof(tmp) - i);
}

static void
put_op(const char *op, uint64_t id, int nargs, uint64_t a, uint64_t b)
{
	puts_out(op);
	puts_out(" b");
	put_u64(id);
	if (nargs >= 1) {
		put(" ", 1);
		put_u64(a);
	}
	if (nargs >= 2) {
		put(" ", 1);
		put_u64(b);
	}
	put("\n", 1);
}

/* ---- the live table ---------------------------------------------- */

static void *
map_pages(size_t bytes)
{
	void *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return mem == MAP_FAILED ? NULL : mem;	/* anonymous: zeroed */
}

static void
unmap_pages(void *mem, size_t bytes)
{
	munmap(mem, bytes);
}

/* ---- recording ----------------------------------------------------- */

static void
rec_alloc(const void *p, size_t size)
{
	uint64_t id;

	if (!recording || p == NULL)
		return;
	id = next_id++;
	if (addrmap_put(&live, p, id) != 0)
		return;
	put_op("alloc", id, 1, size, 0);
}

static void
rec_calloc(const void *p, size_t n, size_t size)
{
	uint64_t id;

	if (!recording || p == NULL)
		return;
	id = next_id++;
	if (addrmap_put(&live, p, id) != 0)
		return;
	put_op("calloc", id, 2, n, size);
}

static void
rec_free(const void *p)
{
	uint64_t id;

	if (!recording || p == NULL)
		return;
	id = addrmap_take(&live, p);
	if (id != 0)
		put_op("free", id, 0, 0, 0);
}

/* A realloc of a block we never saw records its result as a new block. */
static void
rec_realloc(const void *old, const void *p, size_t size)
{
	uint64_t id;

	if (!recording)
		return;
	if (old == NULL) {
		rec_alloc(p, size);
		return;
	}
	if (p == NULL) {
		if (size == 0)		/* glibc: realloc(p, 0) frees p */
			rec_free(old);
		return;
	}
	id = addrmap_take(&live, old);
	if (id == 0) {
		rec_alloc(p, size);
		return;
	}
	if (addrmap_put(&live, p, id) != 0)
		return;
	put_op("realloc", id, 1, size, 0);
}

/* The command line, for the header, read without stdio. */
static void
put_cmdline(void)
{
	char buf[2048];
	ssize_t n;
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t i;

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	if (buf[n - 1] == '\0')
		n--;
	for (i = 0; i < n; i++)
		if (buf[i] == '\0' || buf[i] == '\n' || buf[i] == '\r')
			buf[i] = ' ';
	put(buf, (size_t)n);
}

static void
put_header(const char *why)
{
	puts_out("# zmmrecord: malloc/free of pid ");
	put_u64((uint64_t)getpid());
	puts_out(why);
	puts_out("\n# command: ");
	put_cmdline();
	puts_out("\n# glibc malloc family as ZendMM ops: sizes as asked, "
	    "aligned allocs as alloc, IDs b<serial>\n@title ");
	put_cmdline();
	put("\n", 1);
}

/* Whether the file at path was begun by this same run (an exec'd image). */
static int
same_run(const char *path, const char *run)
{
	char head[160], want[160];
	ssize_t n;
	int fd;

	if (run == NULL || *run == '\0' || strlen(run) > 100)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, head, sizeof(head) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	head[n] = '\0';
	strcpy(want, "# run ");
	strcat(want, run);
	strcat(want, "\n");
	return strncmp(head, want, strlen(want)) == 0;
}

static void
put_run(void)
{
	const char *run = getenv("ZMMRECORD_RUN");

	if (run != NULL && *run != '\0' && strlen(run) <= 100) {
		puts_out("# run ");
		puts_out(run);
		put("\n", 1);
	}
}

/* Chooses OUT or OUT.PID and opens it; called with the lock held. */
static void
open_trace(int child)
{
	const char *out = getenv("ZMMRECORD_OUT");
	const char *mainpid = getenv("ZMMRECORD_PID");
	const char *run = getenv("ZMMRECORD_RUN");
	size_t len;
	int append;

	recording = 0;
	if (out == NULL || *out == '\0')
		return;
	len = strlen(out);
	if (len + 24 > sizeof(out_path))
		return;
	memcpy(out_path, out, len + 1);
	if (child || mainpid == NULL ||
	    strtol(mainpid, NULL, 10) != (long)getpid()) {
		char tmp[24];
		uint64_t v = (uint64_t)getpid();
		size_t i = sizeof(tmp);

		tmp[--i] = '\0';
		do {
			tmp[--i] = (char)('0' + v % 10);
			v /= 10;
		} while (v != 0);
		tmp[--i] = '.';
		strcat(out_path, tmp + i);
	}
	append = !child && same_run(out_path, run);
	out_fd = open(out_path, O_WRONLY | O_CREAT | O_CLOEXEC |
	    (append ? O_APPEND : O_TRUNC), 0644);
	if (out_fd < 0)
		return;
	recording = 1;
	wlen = 0;
	if (append) {
		/* exec replaced the image: its blocks are all gone */
		puts_out("# exec: a new program in pid ");
		put_u64((uint64_t)getpid());
		puts_out(", every block of the old one released\nreset\n");
		put_header(" (after exec)");
		return;
	}
	put_run();		/* first: what an exec'd image looks for */
	put_header(child ? " (forked child)" : "");
}

static void
resolve(void)
{
	resolving = 1;
	real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	real_posix_memalign = (int (*)(void **, size_t, size_t))
	    dlsym(RTLD_NEXT, "posix_memalign");
	real_aligned_alloc = (void *(*)(size_t, size_t))
	    dlsym(RTLD_NEXT, "aligned_alloc");
	real_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
	real_execve = (int (*)(const char *, char *const [], char *const []))
	    dlsym(RTLD_NEXT, "execve");
	real_execvpe = (int (*)(const char *, char *const [], char *const []))
	    dlsym(RTLD_NEXT, "execvpe");
	real__exit = (void (*)(int))dlsym(RTLD_NEXT, "_exit");
	resolving = 0;
	ready = real_malloc != NULL && real_calloc != NULL &&
	    real_realloc != NULL && real_free != NULL;
}

static void
atfork_prepare(void)
{
	pthread_mutex_lock(&lock);
	flush_out();
}

static void
atfork_parent(void)
{
	pthread_mutex_unlock(&lock);
}

/* The child inherits the live blocks: its trace starts by naming them. */
static void
atfork_child(void)
{
	size_t i;

	if (recording) {
		close(out_fd);	/* the child's copy; the parent keeps its own */
		out_fd = -1;
		open_trace(1);
		if (recording) {
			puts_out("# blocks inherited from the parent, "
			    "sizes unknown (0)\n");
			for (i = 0; i < live.cap; i++)
				if (live.slots[i].addr != 0)
					put_op("alloc", live.slots[i].id, 1, 0,
					    0);
		}
	}
	pthread_mutex_init(&lock, NULL);
}

static void
setup(void)
{
	if (ready || resolving)
		return;
	in_hook++;
	resolve();
	if (ready) {
		pthread_mutex_lock(&lock);
		open_trace(0);
		pthread_mutex_unlock(&lock);
		pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
	}
	in_hook--;
}

__attribute__((constructor))
static void
zmmpreload_init(void)
{
	setup();
}

__attribute__((destructor))
static void
zmmpreload_fini(void)
{
	pthread_mutex_lock(&lock);
	flush_out();
	finished = 1;
	pthread_mutex_unlock(&lock);
}

/* A hook called before the constructor (by another library's) sets up. */
#define ENTER()								\
	do {								\
		if (!ready)						\
			setup();					\
	} while (0)

#define RECORDING() (ready && in_hook == 0)

/* Destructors that run after ours still free: those go out at once. */
static void
op_done(void)
{
	if (finished)
		flush_out();
	pthread_mutex_unlock(&lock);
}

/* ---- the hooks ------------------------------------------------------ */

EXPORT void *
malloc(size_t size)
{
	void *p;

	if (resolving || (!ready && (setup(), !ready)))
		return boot_alloc(size);
	if (!RECORDING())
		return real_malloc(size);
	in_hook++;
	pthread_mutex_lock(&lock);
	p = real_malloc(size);
	rec_alloc(p, size);
	op_done();
	in_hook--;
	return p;
}

EXPORT void *
calloc(size_t n, size_t size)
{
	void *p;

	if (resolving || (!ready && (setup(), !ready))) {
		if (size != 0 && n > SIZE_MAX / size)
			return NULL;
		return boot_alloc(n * size);
	}
	if (!RECORDING())
		return real_calloc(n, size);
	in_hook++;
	pthread_mutex_lock(&lock);
	p = real_calloc(n, size);
	rec_calloc(p, n, size);
	op_done();
	in_hook--;
	return p;
}

EXPORT void
free(void *p)
{
	if (p == NULL || in_boot(p))
		return;
	ENTER();
	if (!ready)
		return;		/* cannot be ours to free */
	if (!RECORDING()) {
		real_free(p);
		return;
	}
	in_hook++;
	pthread_mutex_lock(&lock);
	rec_free(p);
	real_free(p);
	op_done();
	in_hook--;
}

EXPORT void *
realloc(void *old, size_t size)
{
	void *p;

	if (old != NULL && in_boot(old)) {
		/* a start-up block moving to the real heap: copy what fits */
		size_t have = (size_t)(boot_buf + sizeof(boot_buf) -
		    (unsigned char *)old);

		p = malloc(size);
		if (p != NULL)
			memcpy(p, old, size < have ? size : have);
		return p;
	}
	if (resolving || (!ready && (setup(), !ready)))
		return old == NULL ? boot_alloc(size) : NULL;
	if (!RECORDING())
		return real_realloc(old, size);
	in_hook++;
	pthread_mutex_lock(&lock);
	p = real_realloc(old, size);
	rec_realloc(old, p, size);
	op_done();
	in_hook--;
	return p;
}

/* glibc's reallocarray does not go through realloc: hooked as one. */
EXPORT void *
reallocarray(void *old, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(old, n * size);
}

EXPORT int
posix_memalign(void **res, size_t align, size_t size)
{
	int rc;

	ENTER();
	if (!ready || real_posix_memalign == NULL)
		return ENOMEM;
	if (!RECORDING())
		return real_posix_memalign(res, align, size);
	in_hook++;
	pthread_mutex_lock(&lock);
	rc = real_posix_memalign(res, align, size);
	if (rc == 0)
		rec_alloc(*res, size);
	op_done();
	in_hook--;
	return rc;
}

/* aligned_alloc and memalign: the same call, recorded as an alloc. */
static void *
aligned_call(void *(**real)(size_t, size_t), size_t align, size_t size)
{
	void *p;

	ENTER();
	if (!ready || *real == NULL)
		return NULL;
	if (!RECORDING())
		return (*real)(align, size);
	in_hook++;
	pthread_mutex_lock(&lock);
	p = (*real)(align, size);
	rec_alloc(p, size);
	op_done();
	in_hook--;
	return p;
}

EXPORT void *
aligned_alloc(size_t align, size_t size)
{
	return aligned_call(&real_aligned_alloc, align, size);
}

EXPORT void *
memalign(size_t align, size_t size)
{
	return aligned_call(&real_memalign, align, size);
}

EXPORT void *
valloc(size_t size)
{
	return memalign((size_t)sysconf(_SC_PAGESIZE), size);
}

EXPORT void *
pvalloc(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (size > SIZE_MAX - page)
		return NULL;
	return memalign(page, size == 0 ? page : (size + page - 1) & ~(page - 1));
}

/* glibc's own strdup would reach malloc too; these make sure of it. */
EXPORT char *
strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

EXPORT char *
strndup(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char *p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/*
 * exec and _exit skip the destructors: the buffer goes out first.
 * (execl and its kin reach execve inside libc without our hook; they are
 * covered by the flush that every fork does.)
 */
static void
flush_locked(void)
{
	if (!ready)
		return;
	pthread_mutex_lock(&lock);
	flush_out();
	pthread_mutex_unlock(&lock);
}

/* execve and execvpe: the trace flushed, then the real call. */
static int
exec_call(int (**real)(const char *, char *const [], char *const []),
    const char *file, char *const argv[], char *const envp[])
{
	ENTER();
	flush_locked();
	if (*real == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return (*real)(file, argv, envp);
}

EXPORT int
execve(const char *path, char *const argv[], char *const envp[])
{
	return exec_call(&real_execve, path, argv, envp);
}

EXPORT int
execvpe(const char *file, char *const argv[], char *const envp[])
{
	return exec_call(&real_execvpe, file, argv, envp);
}

EXPORT int
execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

EXPORT int
execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

EXPORT void
_exit(int status)
{
	ENTER();
	flush_locked();
	if (real__exit != NULL)
		real__exit(status);
	abort();		/* real _exit never returns */
}
