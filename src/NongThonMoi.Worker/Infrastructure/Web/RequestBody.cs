using System.Buffers;

namespace NongThonMoi.Infrastructure.Web;

public static class RequestBody
{
    /// <summary>What a body without a length is read by, a piece at a time (a pooled buffer).</summary>
    private const int Piece = 16_384;

    /// <summary>The whole body, or null when it is larger than <see cref="WebExtensions.MaxBodyBytes"/>.</summary>
    /// <remarks>
    /// Called for every submission, so it allocates only the body itself when the client gives its length (every client
    /// does but a chunked upload). It used to copy through a new 80 KB buffer per request: most of the bytes the worker
    /// allocated in a deadline rush, a gen 0 collection every ~70 requests (BENCHMARKS.md, finding 24).
    /// </remarks>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > WebExtensions.MaxBodyBytes) return null;
        if (request.ContentLength is { } length)
        {
            // Kestrel never gives more than the length said, and ends a shorter body with an error of its own.
            var body = new byte[length];
            var read = await request.Body.ReadAtLeastAsync(body, body.Length, throwOnEndOfStream: false, ct);
            return read == body.Length ? body : body[..read];
        }

        using var buffer = new MemoryStream(Piece);
        var piece = ArrayPool<byte>.Shared.Rent(Piece);
        try
        {
            int got;
            while ((got = await request.Body.ReadAsync(piece, ct)) > 0)
            {
                if (buffer.Length + got > WebExtensions.MaxBodyBytes) return null;
                buffer.Write(piece, 0, got);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(piece);
        }
        return buffer.ToArray();
    }
}
