// Command defer-close models the kubelet podKiller of kubernetes#38857: it
// starts a goroutine per pod to kill and collects their results on resultCh,
// which it closes with a defer. When the kubelet shuts down, podKillingCh is
// closed, podKiller returns and its deferred close runs while the kill
// goroutines it started are still stopping containers; their result sends
// panic with "send on closed channel" at the first check in runtime.chansend.
package main

import (
	"errors"
	"sync"
	"time"
)

// UID identifies a pod.
type UID string

type Pod struct {
	UID         UID
	Namespace   string
	Name        string
	GracePeriod time.Duration
}

type containerRuntime struct {
	mu      sync.Mutex
	stopped map[UID]int
}

// KillPod stops the pod's containers, honoring the grace period.
func (r *containerRuntime) KillPod(p *Pod) error {
	time.Sleep(p.GracePeriod)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped[p.UID]++
	if r.stopped[p.UID] > 1 {
		return errors.New("pod " + string(p.UID) + " killed twice")
	}
	return nil
}

type Kubelet struct {
	podKillingCh chan *Pod
	runtime      *containerRuntime
	errs         []error
}

// podKiller kills pods sent on podKillingCh, one goroutine per pod.
func (kl *Kubelet) podKiller() {
	killing := make(map[UID]bool)
	resultCh := make(chan UID)
	defer close(resultCh) // truth:closer
	for {
		select {
		case pod, ok := <-kl.podKillingCh:
			if !ok {
				return
			}
			if killing[pod.UID] {
				continue
			}
			killing[pod.UID] = true
			go func(pod *Pod) {
				if err := kl.runtime.KillPod(pod); err != nil {
					kl.errs = append(kl.errs, err)
				}
				resultCh <- pod.UID // truth:sender truth:victim
			}(pod)
		case uid := <-resultCh:
			delete(killing, uid)
		}
	}
}

func main() {
	kl := &Kubelet{podKillingCh: make(chan *Pod, 8), runtime: &containerRuntime{stopped: make(map[UID]int)}}
	go kl.podKiller()

	pods := []*Pod{
		{UID: "1d0c6a7e", Namespace: "default", Name: "web-0", GracePeriod: 5 * time.Millisecond},
		{UID: "8f3b2c11", Namespace: "default", Name: "web-1", GracePeriod: 150 * time.Millisecond},
		{UID: "c4e59d02", Namespace: "kube-system", Name: "dns-7d9", GracePeriod: 200 * time.Millisecond},
	}
	for _, p := range pods {
		kl.podKillingCh <- p
	}
	time.Sleep(30 * time.Millisecond)

	// Kubelet shutdown.
	close(kl.podKillingCh)
	time.Sleep(2 * time.Second)
}
