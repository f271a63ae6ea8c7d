using NongThonMoi.Infrastructure.Database;
using NongThonMoi.Programme;
using NongThonMoi.Tests.Support;
using Npgsql;

namespace NongThonMoi.Tests.Programme;

/// <summary>
/// The kept reference: the first requests of a rush arrive together while nothing is kept, and the reference (nationally
/// 9,000 units, every derived list kept per instance) must then be read once, not once per request.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ReferenceStoreTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Callers_arriving_together_while_nothing_is_kept_share_one_read()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, referenceDirectory: reference.Directory, serves: false);
        await app.Get<MigrationRunner>().ApplyAsync(default);
        await app.InScopeAsync<ReferenceSync, ReferenceData>(s => s.RunAsync(default));
        var store = app.Get<ReferenceStore>();
        store.Forget();

        var loaded = await TogetherAsync(() => store.LoadAsync(default));

        Assert.Single(loaded.Distinct(ReferenceEqualityComparer.Instance));
        Assert.NotEmpty(loaded[0].Units);
    }

    [Fact]
    public async Task With_the_database_away_the_callers_waiting_together_share_one_failure()
    {
        // Nothing listens on port 1: every attempt is refused at once.
        await using var away = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=ntm;Timeout=5");
        var store = new ReferenceStore(away, TimeProvider.System);

        var failures = await TogetherAsync<Exception?>(async () =>
        {
            try
            {
                await store.LoadAsync(default);
                return null;
            }
            catch (Exception e)
            {
                return e;
            }
        });

        Assert.All(failures, f => Assert.IsAssignableFrom<NpgsqlException>(f));
        // Fewer attempts than callers: those that arrived while one was failing got its answer, not an attempt of their own.
        Assert.True(failures.Distinct(ReferenceEqualityComparer.Instance).Count() < failures.Length);
    }

    /// <summary>32 callers on the thread pool, let go at the same moment.</summary>
    private static async Task<T[]> TogetherAsync<T>(Func<Task<T>> call)
    {
        using var start = new ManualResetEventSlim();
        var callers = Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await call();
        })).ToList();
        start.Set();
        return await Task.WhenAll(callers);
    }
}
