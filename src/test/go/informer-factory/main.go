// Command informer-factory models a Kubernetes-style shared informer factory
// that keeps one stop channel per resource in a map, made when the resource's
// informer starts. The controller stops its informers when its context is
// cancelled, through context.AfterFunc. The ingress informer was never started
// (the API group is not served by this cluster, so discovery skipped it), the
// map lookup yields a nil channel, and ShutdownInformer closes it: "close of
// nil channel" in runtime.closechan, on the goroutine context.AfterFunc starts.
package main

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"
)

// GroupVersionResource names a resource type.
type GroupVersionResource struct {
	Group, Version, Resource string
}

func (g GroupVersionResource) String() string {
	return g.Group + "/" + g.Version + "/" + g.Resource
}

type informer struct {
	gvr    GroupVersionResource
	mu     sync.Mutex
	store  map[string]string
	synced bool
}

func (i *informer) Run(stopCh <-chan struct{}) {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			i.mu.Lock()
			i.synced = true
			i.mu.Unlock()
		case <-stopCh:
			return
		}
	}
}

// sharedInformerFactory starts informers on demand.
type sharedInformerFactory struct {
	mu        sync.Mutex
	informers map[GroupVersionResource]*informer
	stopChs   map[GroupVersionResource]chan struct{}
}

func newFactory() *sharedInformerFactory {
	return &sharedInformerFactory{
		informers: make(map[GroupVersionResource]*informer),
		stopChs:   make(map[GroupVersionResource]chan struct{}),
	}
}

func (f *sharedInformerFactory) Start(gvr GroupVersionResource) {
	f.mu.Lock()
	defer f.mu.Unlock()
	inf := &informer{gvr: gvr, store: make(map[string]string)}
	f.informers[gvr] = inf
	stopCh := make(chan struct{})
	f.stopChs[gvr] = stopCh
	go inf.Run(stopCh)
}

// ShutdownInformer stops one resource's informer.
func (f *sharedInformerFactory) ShutdownInformer(gvr GroupVersionResource) {
	f.mu.Lock()
	defer f.mu.Unlock()
	close(f.stopChs[gvr]) // truth:closer truth:victim
	delete(f.stopChs, gvr)
	delete(f.informers, gvr)
}

var errNotServed = errors.New("the server could not find the requested resource")

// discovery reports which resources the API server serves.
func discovery(gvr GroupVersionResource) error {
	if gvr.Group == "networking.k8s.io" && gvr.Version == "v1beta1" {
		return errNotServed
	}
	return nil
}

type ingressController struct {
	factory   *sharedInformerFactory
	resources []GroupVersionResource
}

// Run starts the informers it can and arranges for them to stop with ctx.
func (c *ingressController) Run(ctx context.Context) {
	for _, gvr := range c.resources {
		if err := discovery(gvr); err != nil {
			continue // skip resources the cluster does not serve
		}
		c.factory.Start(gvr)
	}
	resources := append([]GroupVersionResource(nil), c.resources...)
	sort.Slice(resources, func(i, j int) bool { return resources[i].String() < resources[j].String() })
	context.AfterFunc(ctx, func() {
		for _, gvr := range resources {
			c.factory.ShutdownInformer(gvr)
		}
	})
}

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	c := &ingressController{factory: newFactory(), resources: []GroupVersionResource{
		{"", "v1", "services"},
		{"", "v1", "endpoints"},
		{"networking.k8s.io", "v1beta1", "ingresses"},
	}}
	c.Run(ctx)
	time.Sleep(30 * time.Millisecond)
	cancel() // the manager shuts down
	time.Sleep(time.Second)
}
