/*
 * spinner - a plugin process that only burns CPU: THREADS threads spin (default 2) for at most
 * SECONDS (default 60), then it exits. It never speaks the protocol (the benchmark's host gives it
 * a long handshake timeout), so it measures what its CPU quota leaves a healthy neighbour.
 *
 *     spinner [THREADS [SECONDS]]
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long seconds = 60;

static void *spin(void *arg)
{
    (void)arg;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    volatile unsigned long x = 0;
    do {
        for (int i = 0; i < 1000000; i++)
            x += (unsigned long)i;
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while (now.tv_sec - start.tv_sec < seconds);
    return NULL;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    if (argc > 2)
        seconds = atol(argv[2]);
    if (threads < 1 || threads > 64 || seconds < 1 || seconds > 600)
        return 2;
    alarm((unsigned)seconds + 5);
    pthread_t t[64];
    for (int i = 1; i < threads; i++)
        pthread_create(&t[i], NULL, spin, NULL);
    spin(NULL);
    return 0;
}
