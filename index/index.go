package index

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/semak/semak/crawler/posting"
	"github.com/semak/semak/internal/atomicfile"
)

// ErrLocked is matched (errors.Is) by the error Open returns when another
// process owns the index directory.
var ErrLocked = errors.New("index is locked")

// LockedError says which directory is locked and by whom.
type LockedError struct {
	Dir string
	PID int // 0 when the owner could not be read
}

func (e *LockedError) Error() string {
	pid := "pid unknown"
	if e.PID > 0 {
		pid = "pid " + strconv.Itoa(e.PID)
	}
	return fmt.Sprintf("index %s is locked: another semak process (%s) owns this index; stop it or use another --data", e.Dir, pid)
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Source yields every posting, e.g. from the SQL store. An error from
// yield must stop it and be returned.
type Source func(ctx context.Context, yield func(posting.Posting) error) error

// Options tune an Index. The zero value works.
type Options struct {
	// BatchSize is how many postings go into one bleve batch (default 1000).
	BatchSize int
	// Shards is how many shards a rebuild makes (default DefaultShards,
	// at most 64; see shards.go). An existing generation keeps its own.
	Shards int
	// FacetSize is how many values each facet returns (default 10).
	FacetSize int
	// Source rebuilds the index when Open finds none, or finds one built
	// with another MappingVersion. Without it Open fails on an old mapping.
	Source Source
	// Logger receives rebuild progress; nil discards.
	Logger *slog.Logger
	// Victims folds the victim names postings claim onto the registered
	// organisations: FoldVictim(alias) -> the organisation's name, so
	// "PERKESO", "Socso" and "Pertubuhan Keselamatan Sosial" count as one
	// in the victim facet and victim:perkeso finds all three. Names of no
	// registered organisation are indexed as claimed. The table is part
	// of the index's identity: opening with another one rebuilds it from
	// Source, as a mapping change does.
	Victims map[string]string

	version int // the mapping version to require; tests change it
}

// Index is a bleve index of postings in a directory it owns:
//
//	dir/LOCK       flock and the owner's pid
//	dir/CURRENT    the name of the live generation, replaced by rename
//	dir/gen-N/     generation N, in shards (shards.go)
//
// It is safe for concurrent use.
type Index struct {
	dir  string
	opts Options
	lock *os.File
	log  *slog.Logger

	mu     sync.RWMutex // guards cur and gen; held shared by every read and write of cur
	cur    *shards
	gen    int
	closed bool

	// writes counts completed writes (Add, Delete, a rebuild's swap); the
	// match-all facet counts are cached for one value of it.
	writes     atomic.Uint64
	facetCache facetCache

	rebuildMu sync.Mutex // one rebuild at a time
	jmu       sync.Mutex
	journal   map[string]*posting.Posting // writes during a rebuild; nil value: deleted
}

// Open opens or creates the index in dir, taking the directory's lock for
// as long as the Index is open.
func Open(ctx context.Context, dir string, opts Options) (*Index, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	if opts.FacetSize <= 0 {
		opts.FacetSize = 10
	}
	if opts.Shards <= 0 {
		opts.Shards = DefaultShards
	}
	if opts.Shards > maxShards {
		return nil, fmt.Errorf("index: %d shards; at most %d", opts.Shards, maxShards)
	}
	if opts.version == 0 {
		opts.version = MappingVersion
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create index directory: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	ix := &Index{dir: dir, opts: opts, lock: lock, log: log}
	if err := ix.open(ctx); err != nil {
		_ = unlockDir(lock)
		return nil, err
	}
	return ix, nil
}

func (ix *Index) open(ctx context.Context) error {
	b, err := os.ReadFile(filepath.Join(ix.dir, "CURRENT"))
	switch {
	case errors.Is(err, os.ErrNotExist):
		ix.removeStale("")
		return ix.Rebuild(ctx, ix.opts.Source)
	case err != nil:
		return fmt.Errorf("read index pointer: %w", err)
	}
	name := strings.TrimSpace(string(b))
	gen, ok := parseGen(name)
	if !ok {
		return fmt.Errorf("index %s: CURRENT names %q, not a generation; remove the directory and rebuild", ix.dir, name)
	}
	cur, err := openShards(filepath.Join(ix.dir, name))
	if errors.Is(err, errOldLayout) {
		// Built before shards: as good as another mapping version.
		if ix.opts.Source == nil {
			return fmt.Errorf("index %s was built by an older semak: run `semak index rebuild`", ix.dir)
		}
		ix.log.InfoContext(ctx, "index built by an older semak, rebuilding", "dir", ix.dir)
		return ix.Rebuild(ctx, ix.opts.Source)
	}
	if err != nil {
		return err
	}
	ix.cur, ix.gen = cur, gen
	ix.removeStale(name)
	v, err := cur.idx[0].GetInternal([]byte(versionKey))
	if err != nil {
		return fmt.Errorf("read mapping version: %w", err)
	}
	if string(v) == ix.versionValue() {
		return nil
	}
	if ix.opts.Source == nil {
		_ = cur.close()
		return fmt.Errorf("index %s was built with mapping version %q, this semak needs %s (the mapping version, and the victim table's hash when organisations are registered): run `semak index rebuild`", ix.dir, v, ix.versionValue())
	}
	ix.log.InfoContext(ctx, "index mapping or victim table changed, rebuilding", "dir", ix.dir, "had", string(v), "want", ix.versionValue())
	return ix.Rebuild(ctx, ix.opts.Source)
}

func parseGen(name string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(name, "gen-"))
	return n, strings.HasPrefix(name, "gen-") && err == nil && n > 0
}

// removeStale deletes generations other than keep: left by a rebuild that
// crashed before its swap, or by one that swapped but did not clean up.
func (ix *Index) removeStale(keep string) {
	ents, _ := os.ReadDir(ix.dir)
	for _, e := range ents {
		_, isGen := parseGen(e.Name())
		if (isGen || strings.HasPrefix(e.Name(), "scorch-offline-build")) && e.IsDir() && e.Name() != keep {
			if err := os.RemoveAll(filepath.Join(ix.dir, e.Name())); err != nil {
				ix.log.Warn("remove stale index generation", "dir", e.Name(), "err", err)
			}
		}
	}
}

// Close closes the index and releases the directory.
func (ix *Index) Close() error {
	ix.rebuildMu.Lock()
	defer ix.rebuildMu.Unlock()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return nil
	}
	ix.closed = true
	if ix.writes.Load() > 0 {
		// This process wrote: make its segments files and read their
		// columns now, so that the next process (a `semak search` after
		// a `semak posting add`) loads them instead of reading them from
		// the dictionaries. The columns are a cache; failing is no error.
		ctx, cancel := context.WithTimeout(context.Background(), closeWarmTimeout)
		if err := ix.cur.persist(ctx, ix.versionValue()); err == nil {
			_ = ix.cur.warm(ctx)
		}
		cancel()
	}
	err := ix.cur.close()
	if uerr := unlockDir(ix.lock); err == nil {
		err = uerr
	}
	return err
}

var errClosed = errors.New("index is closed")

// closeWarmTimeout bounds what Close waits for a write's segments to be
// on disk before reading their columns.
const closeWarmTimeout = 30 * time.Second

// versionValue is what an index built with these options records: the
// mapping version, and a hash of the victim table when there is one.
func (ix *Index) versionValue() string {
	v := strconv.Itoa(ix.opts.version)
	if len(ix.opts.Victims) == 0 {
		return v
	}
	keys := make([]string, 0, len(ix.opts.Victims))
	for k := range ix.opts.Victims {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%s\x00%s\x00", k, ix.opts.Victims[k])
	}
	return v + "+victims:" + hex.EncodeToString(h.Sum(nil))[:16]
}

// Add indexes postings, replacing any with the same id, in batches of
// Options.BatchSize. Every posting must be valid.
func (ix *Index) Add(ctx context.Context, ps ...posting.Posting) error {
	for _, p := range ps {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("index: %w", err)
		}
		if p.ID == "" {
			return fmt.Errorf("index: posting %q has no id", p.Title)
		}
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return errClosed
	}
	defer ix.writes.Add(1) // after the batches, even a failed one's part
	if err := ix.cur.write(ctx, ix.opts.BatchSize, ix.opts.Victims, ps, nil); err != nil {
		return err
	}
	ix.jmu.Lock()
	if ix.journal != nil {
		for _, p := range ps {
			ix.journal[p.ID] = &p
		}
	}
	ix.jmu.Unlock()
	return nil
}

// Delete removes postings by id; unknown ids are ignored.
func (ix *Index) Delete(ctx context.Context, ids ...string) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return errClosed
	}
	defer ix.writes.Add(1)
	if err := ix.cur.write(ctx, ix.opts.BatchSize, nil, nil, ids); err != nil {
		return err
	}
	ix.jmu.Lock()
	if ix.journal != nil {
		for _, id := range ids {
			ix.journal[id] = nil
		}
	}
	ix.jmu.Unlock()
	return nil
}

// Count returns the number of postings in the index.
func (ix *Index) Count() (uint64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return 0, errClosed
	}
	return ix.cur.count()
}

// Rebuild builds a new generation of the index from all (nil: empty) and
// swaps it in. Searches go on against the old generation until the swap;
// Add and Delete calls made meanwhile are applied to both. The swap is the
// rename of CURRENT, so a crash leaves the old generation live and the
// half-built one is removed on the next Open.
func (ix *Index) Rebuild(ctx context.Context, all Source) error {
	ix.rebuildMu.Lock()
	defer ix.rebuildMu.Unlock()
	ix.mu.RLock()
	closed, gen := ix.closed, ix.gen
	ix.mu.RUnlock()
	if closed {
		return errClosed
	}
	name := "gen-" + strconv.Itoa(gen+1)
	path := filepath.Join(ix.dir, name)
	if err := os.RemoveAll(path); err != nil {
		return fmt.Errorf("clear %s: %w", path, err)
	}
	ix.jmu.Lock()
	ix.journal = map[string]*posting.Posting{}
	ix.jmu.Unlock()
	defer func() {
		ix.jmu.Lock()
		ix.journal = nil
		ix.jmu.Unlock()
	}()

	n, err := ix.build(ctx, path, all)
	if err != nil {
		_ = os.RemoveAll(path)
		return fmt.Errorf("rebuild index: %w", err)
	}
	cur, err := openShards(path)
	if err != nil {
		_ = os.RemoveAll(path)
		return fmt.Errorf("open rebuilt index: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			_ = cur.close()
			_ = os.RemoveAll(path)
		}
	}()
	if err := cur.warm(ctx); err != nil {
		// The columns are a cache: the first search reads them instead.
		ix.log.WarnContext(ctx, "read the new index generation's search columns", "err", err)
	}
	// build wrote the mapping version with its last batch.
	ix.mu.Lock()
	if ix.closed {
		ix.mu.Unlock()
		return errClosed
	}
	// Writes that raced the build, latest wins.
	ix.jmu.Lock()
	var adds []posting.Posting
	var dels []string
	for id, p := range ix.journal {
		if p == nil {
			dels = append(dels, id)
		} else {
			adds = append(adds, *p)
		}
	}
	ix.journal = nil
	ix.jmu.Unlock()
	err = cur.write(ctx, ix.opts.BatchSize, ix.opts.Victims, adds, dels)
	if err == nil {
		err = atomicfile.WriteFile(filepath.Join(ix.dir, "CURRENT"), []byte(name+"\n"))
	}
	if err != nil {
		ix.mu.Unlock()
		return fmt.Errorf("rebuild index: %w", err)
	}
	old := ix.cur
	ix.cur, ix.gen = cur, gen+1
	ix.writes.Add(1)
	ok = true
	ix.mu.Unlock()

	if old != nil {
		if err := old.close(); err != nil {
			ix.log.WarnContext(ctx, "close old index generation", "err", err)
		}
		ix.removeStale(name)
	}
	ix.log.InfoContext(ctx, "index rebuilt", "dir", ix.dir, "generation", gen+1, "postings", n)
	return nil
}

// build writes a complete index of all into path. Batches go through an
// ordinary scorch index, one goroutine per core mapping documents and
// writing batches, while scorch analyses, persists and merges on its own
// goroutines; bleve's offline builder does all of that on one goroutine.
//
// The index is opened with unsafe_batch, so a batch returns before it is
// on disk. That is safe here and only here: nothing reads this index until
// build returns, build waits for everything to be persisted before it
// closes the index, and a crash before the swap leaves a half-built
// generation that the next Open deletes. The setting is a runtime one (not
// written into the index's meta), so Rebuild and Open reopen the finished
// index with the default, durable batches.
func (ix *Index) build(ctx context.Context, path string, all Source) (int, error) {
	m, err := newMapping()
	if err != nil {
		return 0, fmt.Errorf("index mapping: %w", err)
	}
	var idx []bleve.Index
	closed := false
	defer func() {
		if !closed {
			_ = closeAll(idx)
		}
	}()
	for k := range ix.opts.Shards {
		p := shardPath(path, k)
		i, err := bleve.NewUsing(p, m, scorch.Name, scorch.Name, nil)
		if err == nil {
			err = i.Close()
		}
		if err == nil {
			i, err = bleve.OpenUsing(p, map[string]any{"unsafe_batch": true})
		}
		if err != nil {
			return 0, fmt.Errorf("create index %s: %w", p, err)
		}
		idx = append(idx, i)
	}
	sh := newShards(path, idx)

	// Building segments allocates a great deal of short-lived memory: with
	// the collector's default target (GOGC 100) much of the CPU went to
	// garbage collection and allocation. A build runs while nothing else is busy
	// (a rebuild, a first open), so it trades memory for speed: measured
	// at 1M postings on 2 cores, GOGC 400 indexed 7.5k postings/s against
	// 5.4k, peak RSS 4.0 GB against 2.4 GB. The setting is process-wide
	// and restored when build returns. It is changed only from the
	// default (100): an operator's own GOGC is left alone.
	if old := debug.SetGCPercent(buildGCPercent); old != 100 {
		debug.SetGCPercent(old)
	} else {
		defer debug.SetGCPercent(old)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	size := max(ix.opts.BatchSize, buildBatchSize)
	workers := runtime.GOMAXPROCS(0)
	type chunk struct {
		shard int
		ps    []posting.Posting
	}
	chunks := make(chan chunk, workers)
	var (
		wg      sync.WaitGroup
		werrMu  sync.Mutex
		werr    error
		setWErr = func(err error) {
			werrMu.Lock()
			if werr == nil {
				werr = err
			}
			werrMu.Unlock()
			cancel()
		}
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range chunks {
				if ctx.Err() != nil {
					continue // drain
				}
				shard := idx[c.shard]
				b := shard.NewBatch()
				for _, p := range c.ps {
					if err := b.Index(p.ID, toDoc(p, ix.opts.Victims)); err != nil {
						setWErr(fmt.Errorf("index posting %s: %w", p.ID, err))
						break
					}
				}
				if ctx.Err() != nil {
					continue
				}
				if err := shard.Batch(b); err != nil {
					setWErr(fmt.Errorf("write index batch: %w", err))
				}
			}
		}()
	}

	n := 0
	pending := make([][]posting.Posting, len(idx)) // each shard's next chunk
	send := func(k int) error {
		select {
		case chunks <- chunk{k, pending[k]}:
			pending[k] = make([]posting.Posting, 0, size)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if all != nil {
		err = all(ctx, func(p posting.Posting) error {
			if err := p.Validate(); err != nil {
				ix.log.WarnContext(ctx, "rebuild: skipping invalid posting", "posting_id", p.ID, "err", err)
				return nil
			}
			n++
			k := sh.of(p.ID)
			pending[k] = append(pending[k], p)
			if len(pending[k]) == size {
				return send(k)
			}
			return nil
		})
	}
	for k := range pending {
		if err == nil && len(pending[k]) > 0 {
			err = send(k)
		}
	}
	close(chunks)
	wg.Wait()
	if werr != nil {
		return 0, werr // the cause; err is then only the cancellation
	}
	if err != nil {
		return 0, err
	}

	// A last batch per shard whose persisted callback runs once it, and so
	// every batch before it, is on disk.
	if err := sh.persist(ctx, ix.versionValue()); err != nil {
		return 0, err
	}
	closed = true
	return n, sh.close()
}

// buildGCPercent is the garbage collector's target during a build.
const buildGCPercent = 400

// buildBatchSize is the smallest batch build writes: each batch becomes a
// segment, and fewer, larger segments leave the merger less to do.
const buildBatchSize = 5000
