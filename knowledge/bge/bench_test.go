package bge_test

import (
	"context"
	"fmt"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/safetynet/safetynet/knowledge/bge"
)

// policyText is our own summary-style prose about social assistance, cut
// into passages of about 250 characters, the size of a stored chunk.
const policyText = "最低生活保障以家庭为单位，申请人向户籍所在地乡镇人民政府或街道办事处提出书面申请，" +
	"如实提供家庭成员、收入和财产状况，并签署授权核对家庭经济状况的声明。乡镇人民政府应当自受理之日起" +
	"通过入户调查、邻里访问和信息核对等方式调查核实，并在村（居）民委员会协助下提出初审意见，在申请人所在村" +
	"公示七天。县级民政部门审批后，按照家庭人均收入低于当地低保标准的差额按月发放低保金。特困人员救助供养" +
	"的对象是无劳动能力、无生活来源且无法定赡养抚养扶养义务人或者其义务人无履行能力的老年人、残疾人和未成年人，" +
	"供养内容包括提供基本生活条件、对生活不能自理的给予照料、提供疾病治疗和办理丧葬事宜。临时救助面向因火灾、" +
	"交通事故、突发重大疾病等原因导致基本生活暂时出现严重困难的家庭或个人，急难型临时救助可以先行救助，" +
	"事后补充说明情况；支出型临时救助按照审核审批程序办理，救助金额一般不超过当地六个月的低保标准。" +
	"低收入家庭是指不符合低保条件，家庭人均收入低于当地低保标准一点五倍且财产状况符合规定的家庭，" +
	"可以根据实际需要给予医疗、教育、住房、就业等专项救助。"

func benchPassages(n, runes int) []string {
	r := []rune(policyText)
	out := make([]string, n)
	for i := range out {
		start := (i * 37) % len(r)
		p := make([]rune, 0, runes)
		for j := 0; len(p) < runes; j++ {
			p = append(p, r[(start+j)%len(r)])
		}
		out[i] = string(p)
	}
	return out
}

// BenchmarkEmbedQuery is the latency a resident's question waits for its
// vector, by intra-op threads; p50-ms and p90-ms are over b.N queries.
func BenchmarkEmbedQuery(b *testing.B) {
	queries := []string{"低保标准是多少", "出去打零工的车费能从收入里扣吗", "特困供养需要什么材料", "临时救助最多能给多少钱"}
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			e := openEmbedder(b, bge.WithThreads(threads))
			ctx := context.Background()
			var took []time.Duration
			i := 0
			cpu := cpuTime()
			for b.Loop() {
				start := time.Now()
				if _, err := e.EmbedQuery(ctx, queries[i%len(queries)]); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
				i++
			}
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(len(took)), "cpu-ms/query")
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)*9/10].Microseconds())/1000, "p90-ms")
		})
	}
}

// BenchmarkEmbedPassages is ingest throughput on passages of about 250
// Chinese characters, by how the cores are used and the batch size.
func BenchmarkEmbedPassages(b *testing.B) {
	texts := benchPassages(32, 250)
	for _, c := range []struct {
		threads, parallel, batch int
	}{{1, 2, 1}, {2, 1, 1}, {1, 1, 1}, {1, 2, 4}, {1, 2, 16}} {
		b.Run(fmt.Sprintf("threads=%d,parallel=%d,batch=%d", c.threads, c.parallel, c.batch), func(b *testing.B) {
			e := openEmbedder(b, bge.WithThreads(c.threads), bge.WithParallel(c.parallel), bge.WithBatchSize(c.batch))
			ctx := context.Background()
			n := 0
			start, cpu := time.Now(), cpuTime()
			for b.Loop() {
				if _, err := e.Embed(ctx, texts); err != nil {
					b.Fatal(err)
				}
				n += len(texts)
			}
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "passages/s")
			// CPU time says what a passage costs when other processes
			// share the cores and wall time does not.
			b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(n), "cpu-ms/passage")
		})
	}
}

// cpuTime is the user and system time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkOpen is the time to load the library (once) and the model.
func BenchmarkOpen(b *testing.B) {
	dir := modelDir(b)
	for b.Loop() {
		e, err := bge.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		e.Close()
	}
}
