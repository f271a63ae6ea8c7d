namespace NongThonMoi.Infrastructure.Web;

public static class RequestBody
{
    /// <summary>The whole body, or null when it is larger than <see cref="WebExtensions.MaxBodyBytes"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > WebExtensions.MaxBodyBytes) return null;
        using var buffer = new MemoryStream(request.ContentLength is > 0 and var n ? (int)n : 16_384);
        var chunk = new byte[81_920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > WebExtensions.MaxBodyBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
