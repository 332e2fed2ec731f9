/* Test program for chanscope's ElfFile core tests: two sleeping threads, then the main
 * thread aborts so the kernel writes a core with three NT_PRSTATUS notes. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

static void *sleeper(void *arg) {
    (void)arg;
    for (;;) {
        sleep(1000);
    }
    return NULL;
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        pthread_create(&t[i], NULL, sleeper, NULL);
    }
    usleep(200 * 1000);
    abort();
}
