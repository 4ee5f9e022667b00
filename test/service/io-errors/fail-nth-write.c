/*
 * LD_PRELOAD shim: the N-th write (write, pwrite, pwrite64, writev, pwritev) or sync (fsync, fdatasync) to a
 * file whose path contains $SONO_FAIL_MATCH fails with $SONO_FAIL_ERRNO (ENOSPC or EIO), as a full or failing
 * disk would answer. $SONO_FAIL_N: which call (1 = the first). $SONO_FAIL_STICKY=1: every later one fails too
 * (a full disk stays full). Counting is per process; the count so far is written to $SONO_FAIL_COUNT_FILE at
 * each matching call, so a run can tell how many there were.
 * Build: gcc -shared -fPIC -O2 -o fail-nth-write.so fail-nth-write.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long calls = 0;

static int matches(int fd) {
  const char *match = getenv("SONO_FAIL_MATCH");
  if (!match || !*match) return 0;
  char link[64], path[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0) return 0;
  path[n] = 0;
  return strstr(path, match) != NULL;
}

/* 1: this call must fail */
static int should_fail(int fd) {
  if (!matches(fd)) return 0;
  const char *ns = getenv("SONO_FAIL_N");
  long n = ns ? atol(ns) : 0;
  int sticky = getenv("SONO_FAIL_STICKY") && atoi(getenv("SONO_FAIL_STICKY"));
  pthread_mutex_lock(&lock);
  long c = ++calls;
  const char *cf = getenv("SONO_FAIL_COUNT_FILE");
  if (cf) {
    FILE *f = fopen(cf, "w");
    if (f) { fprintf(f, "%ld\n", c); fclose(f); }
  }
  pthread_mutex_unlock(&lock);
  if (n <= 0) return 0;
  if (c == n || (sticky && c > n)) {
    const char *e = getenv("SONO_FAIL_ERRNO");
    errno = (e && strcmp(e, "EIO") == 0) ? EIO : ENOSPC;
    return 1;
  }
  return 0;
}

#define REAL(name, ret, ...) \
  static ret (*real_##name)(__VA_ARGS__); \
  if (!real_##name) real_##name = dlsym(RTLD_NEXT, #name);

ssize_t write(int fd, const void *buf, size_t count) {
  REAL(write, ssize_t, int, const void *, size_t);
  if (should_fail(fd)) return -1;
  return real_write(fd, buf, count);
}
ssize_t pwrite(int fd, const void *buf, size_t count, off_t off) {
  REAL(pwrite, ssize_t, int, const void *, size_t, off_t);
  if (should_fail(fd)) return -1;
  return real_pwrite(fd, buf, count, off);
}
ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t off) {
  REAL(pwrite64, ssize_t, int, const void *, size_t, off64_t);
  if (should_fail(fd)) return -1;
  return real_pwrite64(fd, buf, count, off);
}
ssize_t writev(int fd, const struct iovec *iov, int n) {
  REAL(writev, ssize_t, int, const struct iovec *, int);
  if (should_fail(fd)) return -1;
  return real_writev(fd, iov, n);
}
ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t off) {
  REAL(pwritev, ssize_t, int, const struct iovec *, int, off_t);
  if (should_fail(fd)) return -1;
  return real_pwritev(fd, iov, n, off);
}
int fsync(int fd) {
  REAL(fsync, int, int);
  if (should_fail(fd)) return -1;
  return real_fsync(fd);
}
int fdatasync(int fd) {
  REAL(fdatasync, int, int);
  if (should_fail(fd)) return -1;
  return real_fdatasync(fd);
}
