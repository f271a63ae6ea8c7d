using System.Collections.Concurrent;
using NongThonMoi.Infrastructure.Security;

namespace NongThonMoi.Submissions;

/// <summary>
/// Live access codes (mã truy cập) seen in the last few seconds, by the hash of the code: in a deadline rush the same
/// district sends again and again, and a database round trip per request to find its code was a fifth of a submission's
/// time (BENCHMARKS.md). Only live codes are kept; an unknown or revoked code is always looked up.
/// Safe only while revocations reach it: the cache is on only while <see cref="TokenRevocationListener"/> listens to the
/// database's revocation signal (migration 0012), and any revocation, from any process, empties it.
/// </summary>
public sealed class TokenCache(TimeProvider clock)
{
    /// <summary>How long a looked-up code is trusted without asking again, should a revocation signal ever be missed.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    // Far more than the live codes of a province or the country; reached only by abuse, and then simply emptied.
    private const int MaxEntries = 50_000;

    private readonly ConcurrentDictionary<string, (TokenRecord Record, long Expires)> entries = new(StringComparer.Ordinal);
    private long generation;
    private volatile bool listening;

    public bool Enabled => listening;

    /// <summary>Taken before a lookup and given back to <see cref="Add"/>: an answer read before a revocation is not kept after it.</summary>
    public long Generation => Interlocked.Read(ref generation);

    public TokenRecord? Find(string key)
    {
        if (!listening || !entries.TryGetValue(key, out var entry)) return null;
        if (clock.GetTimestamp() < entry.Expires) return entry.Record;
        entries.TryRemove(new KeyValuePair<string, (TokenRecord, long)>(key, entry));
        return null;
    }

    public void Add(string key, TokenRecord record, long generationBefore)
    {
        if (!listening) return;
        if (entries.Count >= MaxEntries) entries.Clear();
        entries[key] = (record, clock.GetTimestamp() + (long)(Lifetime.TotalSeconds * clock.TimestampFrequency));
        // A revocation between the lookup and now emptied the cache before this entry arrived: take it out again.
        if (Generation != generationBefore) entries.TryRemove(key, out _);
    }

    /// <summary>A code was revoked somewhere: forget every code (revocations are rare; finding which entry is not worth it).</summary>
    public void Clear()
    {
        Interlocked.Increment(ref generation);
        entries.Clear();
    }

    internal void SetListening(bool on)
    {
        listening = on;
        Clear();
    }
}
