using NongThonMoi.Programme;

namespace NongThonMoi.Bench;

/// <summary>
/// <c>--workers 2</c>: more than one machine, measured where one machine allows it. After the single-worker scenarios a
/// second worker process starts on the same PostgreSQL (after the first is ready: both run the start-up tasks, under
/// advisory locks), then the ingest with the bench's clients split evenly across the two, and a bulletin run asked of the
/// first one. Beside the figures: which process ran the jobs, each worker's and PostgreSQL's CPU share, the backends, and
/// each worker's peak memory — what saturates first.
/// </summary>
public static class TwoWorkersScenario
{
    public sealed record Context(BenchHost Host, ReferenceFolder Reference, IReadOnlyDictionary<string, string> Tokens, ReportingPeriod Current,
        int T, int Clients, int IngestRounds, int Loops, IngestScenario.Outcome Bare, DeliveryScenario.Outcome OneWorkerDelivery, MemorySampler Memory, string Work);

    public static async Task RunAsync(Context c, List<ScenarioResult> results, Dictionary<string, string> details)
    {
        var host = c.Host;
        var first = host.Workers[0];
        BenchProgram.Step("two workers: a second worker process on the same database");
        var second = await host.AddWorkerAsync();
        c.Memory.Track(second.Name, second.Pid);
        var cpu = new CpuShares([
            (first.Name, CpuShares.Process(first.Pid)),
            (second.Name, CpuShares.Process(second.Pid)),
            ("postgres", CpuShares.ProcessTree(host.PostgresPid)),
            ("bench", CpuShares.Process(Environment.ProcessId)),
        ]);
        var peaks = new List<string>();
        void Peak(string scenario)
        {
            var now = c.Memory.Peaks();
            peaks.Add($"{scenario}: {first.Name} {BenchProgram.Mb(now[first.Name])}, {second.Name} {BenchProgram.Mb(now[second.Name])}, bench {BenchProgram.Mb(now["bench"])}");
            c.Memory.Reset();
        }
        try
        {
            // ---- ingest, the clients split evenly across the two workers ----
            // The same warm-up as the one-worker ingest (one submission per district, then 2 s): BENCHMARKS.md, finding 20.
            var warm = IngestScenario.Prepare(c.Reference, c.Tokens, c.Current.Id, c.Current.Year, c.T, 1, firstVariant: 2500);
            using var toFirst = IngestScenario.Client(first.Url, c.Clients);
            using var toSecond = IngestScenario.Client(second.Url, c.Clients);
            HttpClient[] clients = [toFirst, toSecond];
            await IngestScenario.RunHttpAsync(clients, warm, c.Clients); // the second worker's first requests: JIT, pools, caches
            await host.DrainJobsAsync(TimeSpan.FromMinutes(5), BenchHost.TriggerQuiet);
            await Task.Delay(TimeSpan.FromSeconds(2));
            c.Memory.Reset();
            // As many loops as the one-worker ingest, each from a checkpoint with the recomputes of the last drained, the
            // figures over all of them; the instruments watch the last.
            var loops = new List<IngestScenario.Outcome>();
            var mark = await host.JobMarkAsync();
            CpuShares.Outcome? shares = null;
            string backends = "", breakdown = "";
            for (var loop = 0; loop < c.Loops; loop++)
            {
                var last = loop == c.Loops - 1;
                var batch = IngestScenario.Prepare(c.Reference, c.Tokens, c.Current.Id, c.Current.Year, c.T, c.IngestRounds,
                    firstVariant: 2000 + loop * c.IngestRounds);
                await host.CheckpointAsync();
                BenchProgram.Step($"ingest (2 workers) {loop + 1}/{c.Loops}: {batch.Count} submissions, {c.Clients / 2} clients on each worker");
                var metrics = new WorkerMetrics([first, second]);
                if (last) await metrics.StartAsync();
                var window = cpu.Start();
                await using (var sampler = await BackendSampler.StartAsync(host.ConnectionString))
                {
                    loops.Add(await IngestScenario.RunHttpAsync(clients, batch, c.Clients));
                    backends = await sampler.StopAsync();
                }
                if (last)
                {
                    shares = window.Stop();
                    breakdown = await metrics.StopAsync("POST", "/api/submissions");
                    details["ingest (2 workers) CPU"] = $"{shares}; {shares.Per(batch.Count, "submission")}; {backends}";
                }
                BenchProgram.Step($"ingest (2 workers) {loop + 1}/{c.Loops}: {loops[^1].PerSecond:0}/s (p99 {loops[^1].P99Ms:0} ms)");
                if (!last) await host.DrainJobsAsync(TimeSpan.FromMinutes(5), BenchHost.TriggerQuiet);
            }
            var drain = await host.DrainJobsAsync(TimeSpan.FromMinutes(10), BenchHost.TriggerQuiet);
            var jobs = await host.JobsByWorkerAsync(mark);
            var ingest = IngestScenario.Outcome.Together(loops);
            var ratio = ingest.PerSecond / c.Bare.PerSecond;
            results.Add(new ScenarioResult("ingest (2 workers)", BenchProgram.R(ingest.PerSecond), "submissions/s", BenchProgram.R(c.Bare.PerSecond), BenchProgram.R(ratio, 2),
                "≥ 500/s, p99 ≤ 100 ms, ratio ≥ 0.5", ingest.PerSecond >= 500 && ingest.P99Ms <= 100 && ratio >= 0.5 && ingest.Failed == 0,
                $"{ingest.Count + ingest.Failed} submissions in {c.Loops} loops ({string.Join(", ", loops.Select(l => $"{l.PerSecond:0}/s p99 {l.P99Ms:0} ms"))}); " +
                $"p50 {ingest.P50Ms:0} ms, p99 {ingest.P99Ms:0} ms, {ingest.Failed} failed; limit as in ingest; recomputes drained {drain.TotalSeconds:0.0} s after the last burst"));
            details["ingest (2 workers) breakdown"] = $"{breakdown}; jobs run over the {c.Loops} loops (recomputes asked for by the bursts, by worker): {jobs}";
            BenchProgram.Step($"ingest (2 workers) {ingest.PerSecond:0}/s (p99 {ingest.P99Ms:0} ms); {shares}");
            BenchProgram.Step(details["ingest (2 workers) breakdown"]);
            Peak("ingest");

            // With no request and no job the workers still use CPU for a few seconds after a burst (tiered JIT, GC): seen
            // here so that it is not taken for a part in the bulletin run below.
            var idle = cpu.Start();
            await Task.Delay(TimeSpan.FromSeconds(3));
            details["two workers idle after the ingest"] = idle.Stop().ToString();
            // ---- delivery: one run is one Hangfire job; does the second worker take any part? ----
            // The job goes to whichever job server fetches it first, not necessarily the worker that took the request.
            BenchProgram.Step($"delivery (2 workers): the next copy of the run asked of {first.Name}");
            var delivery = await DeliveryScenario.RunAsync(host, first, c.Current.Id, c.Work, resend: true, withLimit: false, cpu);
            shares = delivery.Cpu!;
            var limit = c.OneWorkerDelivery.LimitPerSecond;
            var deliveryRatio = delivery.PerSecond / limit;
            results.Add(new ScenarioResult("delivery (2 workers)", BenchProgram.R(delivery.PerSecond), "messages/s", BenchProgram.R(limit), BenchProgram.R(deliveryRatio, 2),
                "ratio ≥ 0.7, all in ≤ 60 s", deliveryRatio >= 0.7 && delivery.Elapsed.TotalSeconds <= 60 && delivery.Failure is null,
                $"{delivery.Messages} messages (a resend: copy 1) in {delivery.Elapsed.TotalSeconds:0.0} s over {delivery.Connections} SMTP connections; " +
                $"the run's job ran on: {delivery.RanOn} (started {delivery.Pickup.TotalSeconds:0.00} s after the request); limit as in delivery" + (delivery.Failure is null ? "" : $"; NOT ALL DELIVERED: {delivery.Failure}")));
            details["delivery (2 workers) CPU"] = $"{shares}; jobs started meanwhile, by worker: {delivery.JobsMeanwhile}";
            BenchProgram.Step($"delivery (2 workers) {delivery.PerSecond:0.0}/s, job on {delivery.RanOn}; {shares}");
            Peak("delivery");
            details["memory, two workers"] = string.Join("; ", peaks);
        }
        finally
        {
            c.Memory.Untrack(second.Name);
            await host.StopWorkerAsync(second);
        }
    }
}
