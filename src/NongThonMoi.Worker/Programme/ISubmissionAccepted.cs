namespace NongThonMoi.Programme;

/// <summary>
/// Told that a reporting unit's submission for a period was accepted and committed. Submissions calls it; Indicators
/// implements it (a recompute soon). Declared here, below both, so that neither capability depends on the other.
/// Must return at once: it runs on the request path.
/// </summary>
public interface ISubmissionAccepted
{
    void OnAccepted(string period);
}
