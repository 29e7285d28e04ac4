// epoll and eventfd, which Swift's Glibc module does not import, plus two GNU extensions
// it declares only under _GNU_SOURCE. Header-only: glibc itself provides the symbols.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <pthread.h>

extern int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);
extern int pthread_setname_np(pthread_t thread, const char *name);
