using System.Security.Claims;
using NongThonMoi.Programme;
using NongThonMoi.Submissions;

namespace NongThonMoi.Portal;

/// <summary>
/// The reporting unit a page works for, and everything the pages need about it this period. A district's session
/// works for its own unit only; the admin works for the unit named by <c>?unit=</c> (the unit picker), carried in every
/// link and form of the portal.
/// </summary>
public sealed record PortalUnit(
    Unit Unit, IReadOnlyList<Unit> Communes, bool ByAdmin, Submitter Submitter,
    ReportingPeriod Period, CriteriaSet? Set, ReferenceData Reference)
{
    /// <summary>The query that keeps the admin on this unit from page to page; empty for a district.</summary>
    public string Query => ByAdmin ? $"?unit={Uri.EscapeDataString(Unit.Code)}" : "";
}

public sealed class PortalUnits(ReferenceStore reference, ReportingCalendar calendar)
{
    /// <summary>
    /// Null when the user may not work for <paramref name="requested"/> (another unit's, or none for the admin) or the unit
    /// does not report: the page answers 404, so a district learns nothing about other units.
    /// </summary>
    public async Task<PortalUnit?> ResolveAsync(ClaimsPrincipal user, string? requested, CancellationToken ct)
    {
        var submitter = Submitter.Of(user);
        var code = submitter.IsAdmin ? requested : submitter.Unit;
        if (string.IsNullOrWhiteSpace(code)) return null;
        if (!submitter.IsAdmin && !string.IsNullOrEmpty(requested) && requested != submitter.Unit) return null;

        var data = await reference.LoadAsync(ct);
        var period = calendar.Current;
        var units = calendar.UnitsOf(data, period);
        if (units.ReportingUnit(code) is not { } unit) return null;
        return new PortalUnit(unit, units.CommunesOf(unit), submitter.IsAdmin, submitter, period,
            data.CriteriaSets.FirstOrDefault(s => s.AppliesTo(period.Year)), data);
    }
}
