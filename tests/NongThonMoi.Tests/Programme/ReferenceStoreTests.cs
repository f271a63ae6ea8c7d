using NongThonMoi.Infrastructure.Database;
using NongThonMoi.Programme;
using NongThonMoi.Tests.Support;

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

        using var start = new ManualResetEventSlim();
        var callers = Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await store.LoadAsync(default);
        })).ToList();
        start.Set();
        var loaded = await Task.WhenAll(callers);

        Assert.Single(loaded.Distinct(ReferenceEqualityComparer.Instance));
        Assert.NotEmpty(loaded[0].Units);
    }
}
