namespace NongThonMoi.Programme;

/// <summary>A period's reporting units by whether they reported: on time (đúng hạn), late (muộn) or not at all (chưa nộp).</summary>
public sealed record SubmissionCounts(int Expected, int OnTime, int Late, int Missing);
