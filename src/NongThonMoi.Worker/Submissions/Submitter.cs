using System.Globalization;
using System.Security.Claims;
using NongThonMoi.Infrastructure.Security;

namespace NongThonMoi.Submissions;

/// <summary>Who is submitting: the admin for any unit, or a district token for its own unit.</summary>
public sealed record Submitter(bool IsAdmin, string? Unit, long? TokenId)
{
    public static readonly Submitter Admin = new(true, null, null);

    public string Label => IsAdmin ? "admin" : $"token:{TokenId}";

    /// <summary>The signed-in caller, as the authentication handlers described it (<see cref="Roles"/>).</summary>
    public static Submitter Of(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Admin)
            ? Admin
            : new Submitter(false, user.FindFirstValue(Roles.UnitClaim), long.Parse(user.FindFirstValue(Roles.TokenClaim)!, CultureInfo.InvariantCulture));
}
