using System.Security.Cryptography;

namespace NongThonMoi.Portal;

/// <summary>
/// The portal's one stylesheet, shipped inside the program (an intranet may have no internet, and <c>demo</c> runs from
/// any folder), served with an ETag of its content so a phone on a slow link fetches it once.
/// </summary>
public static class PortalStyles
{
    public const string Path = "/portal.css";

    private static readonly byte[] Content = Load();

    private static readonly string ETag = $"\"{Convert.ToHexStringLower(SHA256.HashData(Content))[..16]}\"";

    /// <summary>The stylesheet's address with its version, so a new release is fetched at once despite the cache.</summary>
    public static readonly string Href = $"{Path}?v={ETag.Trim('"')}";

    private static byte[] Load()
    {
        using var stream = typeof(PortalStyles).Assembly.GetManifestResourceStream("portal.css")
            ?? throw new InvalidOperationException("portal.css is not embedded in the assembly");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    public static IResult Serve(HttpContext context)
    {
        context.Response.Headers.CacheControl = "public, max-age=86400";
        if (context.Request.Headers.IfNoneMatch == ETag) return Results.StatusCode(StatusCodes.Status304NotModified);
        context.Response.Headers.ETag = ETag;
        return Results.Bytes(Content, "text/css; charset=utf-8");
    }
}
