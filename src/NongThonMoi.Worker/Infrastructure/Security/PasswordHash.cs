using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace NongThonMoi.Infrastructure.Security;

/// <summary>
/// The admin password as a PBKDF2-HMAC-SHA256 hash, <c>pbkdf2-sha256$iterations$salt$hash</c> (salt and hash in Base64),
/// so that <c>Admin:PasswordHash</c> can be configured and the plain password need not be written anywhere.
/// </summary>
public sealed class PasswordHash
{
    public const string Scheme = "pbkdf2-sha256";

    /// <summary>OWASP's 2023 figure for PBKDF2-HMAC-SHA256; fewer than <see cref="MinIterations"/> is refused at start.</summary>
    public const int DefaultIterations = 600_000;

    public const int MinIterations = 100_000;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly int iterations;
    private readonly byte[] salt;
    private readonly byte[] hash;

    /// <summary>
    /// SHA-256 of the last password that matched. PBKDF2 is deliberately slow (a few hundred ms); the admin's browser sends
    /// the password with every request, so a repeat of the password already verified is recognised by this fast,
    /// constant-time comparison. A wrong password always pays the full PBKDF2 cost.
    /// </summary>
    private byte[]? verified;

    private PasswordHash(int iterations, byte[] salt, byte[] hash) => (this.iterations, this.salt, this.hash) = (iterations, salt, hash);

    public static string Create(string password, int iterations = DefaultIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Scheme, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>Parses the configured text; <paramref name="error"/> says what is wrong, for the start-up check.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out PasswordHash? parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        var parts = text.Trim().Split('$');
        if (parts.Length != 4 || parts[0] != Scheme)
        {
            error = $"must have the form {Scheme}$iterations$salt$hash (run `nongthonmoi hash-password`)";
            return false;
        }
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < MinIterations)
        {
            error = $"iterations must be a number of at least {MinIterations}";
            return false;
        }
        byte[] salt, hash;
        try { (salt, hash) = (Convert.FromBase64String(parts[2]), Convert.FromBase64String(parts[3])); }
        catch (FormatException)
        {
            error = "salt and hash must be Base64";
            return false;
        }
        if (salt.Length < SaltBytes || hash.Length != HashBytes)
        {
            error = $"salt must have at least {SaltBytes} bytes and the hash {HashBytes}";
            return false;
        }
        parsed = new PasswordHash(n, salt, hash);
        error = null;
        return true;
    }

    public bool Matches(string password)
    {
        var quick = SHA256.HashData(Encoding.UTF8.GetBytes(password));
        if (Volatile.Read(ref verified) is { } known && CryptographicOperations.FixedTimeEquals(quick, known)) return true;
        var derived = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        if (!CryptographicOperations.FixedTimeEquals(derived, hash)) return false;
        Volatile.Write(ref verified, quick);
        return true;
    }
}
