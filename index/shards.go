package index

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/semak/semak/crawler/posting"
)

// A generation of the index is split into shards, separate bleve indexes
// each holding the postings whose id hashes to it, and a search runs on
// all of them at once, one goroutine each, merging their pages and counts.
// bleve finds the matches of one index on one goroutine, and at 1M
// postings that part of a search alone took up to 90 ms; with a shard per
// core it takes half as long on the 2 cores semak is sized for.
//
// A generation gets Options.Shards shards when it is built, DefaultShards
// unless set, and keeps them when opened with another setting. The count
// is fixed rather than one per core because it changes scores: bleve
// weighs a word by how rare it is in the shard, not in the whole index
// (as Elasticsearch does by default). Over many postings spread by a hash
// the shards agree closely; over a few hundred, a posting's rank can move
// by a place or two. Fixing the count keeps the same index ranking the
// same on every machine.
//
//	dir/gen-N/shard-K/                 the bleve index of shard K
//	dir/gen-N/shard-K/semak-columns/   its segments' columns (columns_file.go)

const (
	// DefaultShards is the number of shards of a new generation.
	DefaultShards = 2
	maxShards     = 64
)

// errOldLayout is an index generation from before shards.
var errOldLayout = errors.New("index generation has no shards")

// shards is one generation of the index.
type shards struct {
	idx  []bleve.Index
	cols []*colCache // sharing one termTable, so their facet counts add up
}

func shardPath(gen string, k int) string { return filepath.Join(gen, "shard-"+strconv.Itoa(k)) }

func newShards(gen string, idx []bleve.Index) *shards {
	s := &shards{idx: idx}
	terms := &termTable{}
	for k := range idx {
		s.cols = append(s.cols, &colCache{dir: colsDirOf(shardPath(gen, k)), terms: terms})
	}
	return s
}

// openShards opens the shards of the generation at gen.
func openShards(gen string) (*shards, error) {
	var idx []bleve.Index
	for k := 0; ; k++ {
		p := shardPath(gen, k)
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			break
		}
		i, err := bleve.Open(p)
		if err != nil {
			_ = closeAll(idx)
			return nil, fmt.Errorf("open index shard %s: %w", p, err)
		}
		idx = append(idx, i)
	}
	if len(idx) == 0 {
		return nil, errOldLayout
	}
	return newShards(gen, idx), nil
}

func closeAll(idx []bleve.Index) error {
	var errs []error
	for _, i := range idx {
		errs = append(errs, i.Close())
	}
	return errors.Join(errs...)
}

func (s *shards) close() error { return closeAll(s.idx) }

// of returns the shard of a posting id.
func (s *shards) of(id string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return int(h.Sum32() % uint32(len(s.idx)))
}

func (s *shards) count() (uint64, error) {
	var n uint64
	for _, i := range s.idx {
		c, err := i.DocCount()
		if err != nil {
			return 0, err
		}
		n += c
	}
	return n, nil
}

// each runs fn for every shard at once and returns the first error.
func (s *shards) each(ctx context.Context, fn func(ctx context.Context, k int, idx bleve.Index) error) error {
	if len(s.idx) == 1 {
		return fn(ctx, 0, s.idx[0])
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(s.idx))
	var wg sync.WaitGroup
	for k, i := range s.idx {
		wg.Go(func() {
			if errs[k] = fn(ctx, k, i); errs[k] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return errors.Join(errs...)
}

// write indexes adds (replacing postings with the same id) and deletes
// dels, each in its shard, the shards at once, in batches of size.
func (s *shards) write(ctx context.Context, size int, victims map[string]string, adds []posting.Posting, dels []string) error {
	addsOf := make([][]posting.Posting, len(s.idx))
	for _, p := range adds {
		k := s.of(p.ID)
		addsOf[k] = append(addsOf[k], p)
	}
	delsOf := make([][]string, len(s.idx))
	for _, id := range dels {
		k := s.of(id)
		delsOf[k] = append(delsOf[k], id)
	}
	return s.each(ctx, func(ctx context.Context, k int, idx bleve.Index) error {
		b := idx.NewBatch()
		flush := func(last bool) error {
			if b.Size() < size && !(last && b.Size() > 0) {
				return nil
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := idx.Batch(b); err != nil {
				return fmt.Errorf("write index batch: %w", err)
			}
			// A new batch, not b.Reset(): scorch's Batch can return while
			// the goroutine that queued the documents for analysis is
			// still finishing its range over the batch's map, and Reset
			// clears that map (the race detector caught it).
			b = idx.NewBatch()
			return nil
		}
		for _, p := range addsOf[k] {
			if err := b.Index(p.ID, toDoc(p, victims)); err != nil {
				return fmt.Errorf("index posting %s: %w", p.ID, err)
			}
			if err := flush(false); err != nil {
				return err
			}
		}
		for _, id := range delsOf[k] {
			b.Delete(id)
			if err := flush(false); err != nil {
				return err
			}
		}
		return flush(true)
	})
}

// warm reads the columns of every segment, and so writes their files, so
// that the first search of a new generation (and of every process after
// it) does not read them from the dictionaries: about 3 s per million
// postings, against a rebuild of about two minutes.
func (s *shards) warm(ctx context.Context) error {
	return s.each(ctx, func(_ context.Context, k int, idx bleve.Index) error {
		return withSnapshot(idx, s.cols[k], func(*scorch.IndexSnapshot, *snapCols) error { return nil })
	})
}

// persist writes the mapping version to every shard in a last batch and
// waits until that batch, and so every batch before it, is on disk.
func (s *shards) persist(ctx context.Context, version string) error {
	return s.each(ctx, func(ctx context.Context, _ int, i bleve.Index) error {
		persisted := make(chan error, 1)
		b := i.NewBatch()
		b.SetInternal([]byte(versionKey), []byte(version))
		b.SetPersistedCallback(func(err error) { persisted <- err })
		if err := i.Batch(b); err != nil {
			return fmt.Errorf("write index batch: %w", err)
		}
		select {
		case err := <-persisted:
			if err != nil {
				return fmt.Errorf("persist index: %w", err)
			}
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
}
