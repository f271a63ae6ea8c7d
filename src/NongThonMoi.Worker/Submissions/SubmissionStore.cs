using System.Text.Json;
using Dapper;
using NongThonMoi.Infrastructure;
using Npgsql;

namespace NongThonMoi.Submissions;

/// <summary>A submission as archived: the verbatim body's fingerprint, who sent it, and the answer it got.</summary>
public sealed record ArchivedSubmission
{
    public Guid Id { get; init; }
    public string UnitCode { get; init; } = "";
    public string Period { get; init; } = "";
    public DateTimeOffset ReceivedAt { get; init; }
    public string Sha256 { get; init; } = "";
    public string ContentType { get; init; } = "";
    public string Format { get; init; } = "";
    public string SubmittedBy { get; init; } = "";
    public string Status { get; init; } = "";
    public int HttpStatus { get; init; }
    public bool Late { get; init; }
    public string Errors { get; init; } = "";
    public string Warnings { get; init; } = "";
    public bool IsCurrent { get; init; }

    public IReadOnlyList<SubmissionError> ErrorList => JsonSerializer.Deserialize<List<SubmissionError>>(Errors, JsonDefaults.Options)!;
    public IReadOnlyList<SubmissionError> WarningList => JsonSerializer.Deserialize<List<SubmissionError>>(Warnings, JsonDefaults.Options)!;
}

/// <summary>What <see cref="SubmissionStore.SaveAsync"/> did: stored the submission, or found the earlier one whose answer stands.</summary>
public sealed record SaveOutcome(bool Stored, ArchivedSubmission? Earlier)
{
    /// <summary>Not stored and no earlier one seen: the same accepted body was committed by a request running at the same moment.</summary>
    public bool Raced => !Stored && Earlier is null;
}

public sealed record NewSubmission(
    Guid Id, string UnitCode, string Period, DateTimeOffset ReceivedAt, string Sha256, byte[] Body, string ContentType,
    SubmissionFormat Format, Submitter Submitter, bool Accepted, int HttpStatus, bool Late,
    IReadOnlyList<SubmissionError> Errors, IReadOnlyList<SubmissionError> Warnings, SubmittedReport? Report);

/// <summary>The archive of every body that reached validation, and the rows of the accepted ones.</summary>
public sealed class SubmissionStore(NpgsqlDataSource dataSource)
{
    private static string Columns() => """
        s.id, s.unit_code, s.period, s.received_at, s.sha256, s.content_type, s.format, s.submitted_by, s.status, s.http_status,
        s.late, s.errors::text as errors, s.warnings::text as warnings,
        exists (select 1 from current_submissions c where c.submission_id = s.id) as is_current
        """;

    public async Task<ArchivedSubmission?> FindRepeatAsync(string unit, string period, string sha256, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ArchivedSubmission>(new CommandDefinition(
            $"select {Columns()} from submissions s where unit_code = @unit and period = @period and sha256 = @sha256 " +
            "order by (status = 'accepted') desc, received_at desc limit 1",
            new { unit, period, sha256 }, cancellationToken: ct));
    }

    /// <summary>
    /// PostgreSQL text and jsonb cannot hold U+0000, which a garbage body easily contains and an error message quotes:
    /// it is stored as U+FFFD (the replacement character) so the rejected body is still archived and answered 4xx.
    /// The body itself is bytea and kept verbatim.
    /// </summary>
    internal static string Storable(string text) => text.Contains('\0') ? text.Replace('\0', '\uFFFD') : text;

    private static IEnumerable<SubmissionError> Storable(IEnumerable<SubmissionError> errors) =>
        errors.Select(e => new SubmissionError(e.Commune is null ? null : Storable(e.Commune), Storable(e.Field), Storable(e.Message)));

    /// <summary>
    /// Archives the body with its outcome and, when accepted, its rows and the "current" pointer — unless the same body
    /// for the same unit and period is already archived with an answer that stands: an accepted one (it is answered as
    /// before and stored once), or a refusal for the same reasons. Returns that earlier submission, or null when this one
    /// was stored. <see cref="SaveOutcome.Raced"/>: the same body was accepted meanwhile by a request running beside this
    /// one (read it with <see cref="FindRepeatAsync"/>: this statement's snapshot cannot see it).
    /// </summary>
    public async Task<SaveOutcome> SaveAsync(NewSubmission s, CancellationToken ct)
    {
        var rows = s.Accepted && s.Report is not null;
        var communes = rows ? s.Report!.Communes : [];
        var data = rows ? s.Report!.Data : new Dictionary<string, decimal>();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(ArchiveSql, connection);
        var p = command.Parameters;
        p.AddWithValue("Id", s.Id);
        p.AddWithValue("UnitCode", s.UnitCode);
        p.AddWithValue("Period", s.Period);
        p.AddWithValue("ReceivedAt", s.ReceivedAt);
        p.AddWithValue("Sha256", s.Sha256);
        p.AddWithValue("Body", s.Body);
        p.AddWithValue("ContentType", s.ContentType);
        p.AddWithValue("Format", s.Format.ToString().ToLowerInvariant());
        p.AddWithValue("SubmittedBy", s.Submitter.Label);
        p.AddWithValue("TokenId", NpgsqlTypes.NpgsqlDbType.Bigint, (object?)s.Submitter.TokenId ?? DBNull.Value);
        p.AddWithValue("Status", s.Accepted ? "accepted" : "rejected");
        p.AddWithValue("HttpStatus", s.HttpStatus);
        p.AddWithValue("Late", s.Late);
        p.AddWithValue("Errors", JsonSerializer.Serialize(Storable(s.Errors), JsonDefaults.Options));
        p.AddWithValue("Warnings", JsonSerializer.Serialize(Storable(s.Warnings), JsonDefaults.Options));
        p.AddWithValue("Rows", rows);
        p.AddWithValue("Codes", communes.Select(c => c.Code).ToArray());
        p.AddWithValue("Statuses", communes.Select(c => c.Status).ToArray());
        p.AddWithValue("Years", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Integer, communes.Select(c => c.RecognizedYear).ToArray());
        p.AddWithValue("Met", communes.Select(c => string.Join(',', c.CriteriaMet.Order())).ToArray());
        p.AddWithValue("Indicators", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text,
            communes.Select(c => c.Indicators.Count == 0 ? null : JsonSerializer.Serialize(c.Indicators)).ToArray());
        p.AddWithValue("DataCodes", data.Keys.ToArray());
        p.AddWithValue("DataValues", data.Values.ToArray());
        // Prepared: planning this statement of five data-modifying CTEs took 0.37 ms of PostgreSQL's time per submission
        // (pg_stat_statements in a national deadline rush, BENCHMARKS.md). Npgsql keeps it prepared on each pooled connection,
        // so after the first use on a connection this is no round trip.
        await command.PrepareAsync(ct);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var inserted = reader.GetInt64(0) > 0;
        // The earlier submission (the columns after the count) only matters when this one was not stored.
        var prior = inserted || reader.IsDBNull(1) ? null : reader.GetRowParser<ArchivedSubmission>(startIndex: 1)(reader);
        return new SaveOutcome(inserted, prior);
    }

    // One statement (data-modifying CTEs), so one round trip and one implicit transaction for the repeat check, the archive,
    // the rows and the pointer, instead of a look-up, BEGIN, four inserts and COMMIT: round trips are most of a submission's
    // time in a deadline rush (BENCHMARKS.md).
    private static readonly string ArchiveSql = $"""
        with prior as (
            select {Columns()}, s.errors as errors_jsonb from submissions s
            where s.unit_code = @UnitCode and s.period = @Period and s.sha256 = @Sha256
            order by (s.status = 'accepted') desc, s.received_at desc limit 1),
        ins as (
            insert into submissions (id, unit_code, period, received_at, sha256, body, content_type, format, submitted_by, token_id,
                                     status, http_status, late, errors, warnings)
            select @Id, @UnitCode, @Period, @ReceivedAt, @Sha256, @Body, @ContentType, @Format, @SubmittedBy, @TokenId,
                   @Status, @HttpStatus, @Late, @Errors::jsonb, @Warnings::jsonb
            where not exists (select 1 from prior p
                              where p.status = 'accepted' or (p.http_status = @HttpStatus and p.errors_jsonb = @Errors::jsonb))
            on conflict (unit_code, period, sha256) where status = 'accepted' do nothing
            returning id),
        c as (
            insert into submission_communes (submission_id, period, commune_code, status, recognized_year, criteria_met, criteria_count, indicators)
            select ins.id, @Period, code, status, year, string_to_array(met, ',')::smallint[], cardinality(string_to_array(met, ',')), ind::jsonb
            from ins, unnest(@Codes, @Statuses, @Years, @Met, @Indicators) as t(code, status, year, met, ind)
            where @Rows),
        d as (
            insert into submission_data (submission_id, element_code, value)
            select ins.id, t.code, t.value from ins, unnest(@DataCodes, @DataValues) as t(code, value)
            where @Rows),
        -- The newest accepted submission counts; a unit stays "on time" once it has reported by the deadline.
        cur as (
            insert into current_submissions (unit_code, period, submission_id, received_at, late)
            select @UnitCode, @Period, ins.id, @ReceivedAt, @Late from ins
            where @Rows
            on conflict (unit_code, period) do update
                set submission_id = excluded.submission_id, received_at = excluded.received_at,
                    late = current_submissions.late and excluded.late
                where current_submissions.received_at <= excluded.received_at)
        select (select count(*) from ins) as inserted, p.id, p.unit_code, p.period, p.received_at, p.sha256, p.content_type, p.format,
               p.submitted_by, p.status, p.http_status, p.late, p.errors, p.warnings, p.is_current
        from (select 1) one left join prior p on true
        """;

    public async Task<ArchivedSubmission?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ArchivedSubmission>(new CommandDefinition(
            $"select {Columns()} from submissions s where id = @id", new { id }, cancellationToken: ct));
    }

    public async Task<byte[]?> GetBodyAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<byte[]?>(new CommandDefinition(
            "select body from submissions where id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>A unit's submissions (or all, for the admin), newest first, with the one that counts marked.</summary>
    public async Task<List<ArchivedSubmission>> ListAsync(string? unit, string? period, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<ArchivedSubmission>(new CommandDefinition($"""
            select {Columns()} from submissions s
            where (@unit::text is null or s.unit_code = @unit) and (@period::text is null or s.period = @period)
            order by s.received_at desc
            limit 1000
            """, new { unit, period }, cancellationToken: ct));
        return rows.ToList();
    }
}
