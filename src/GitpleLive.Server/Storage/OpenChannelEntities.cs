namespace GitpleLive.Server.Storage;

/// <summary>
/// A manager of an open channel. Open channels (<see cref="ChannelRow.Type"/> <c>open</c>) have no member rows: who is in
/// them is the participants seam's (<c>IOpenParticipants</c>), and only their managers are stored, here.
/// </summary>
public sealed class OpenManagerRow
{
    public required string AppId { get; set; }
    public required string ChannelId { get; set; }
    public required string UserId { get; set; }
    public long CreatedAt { get; set; }
}
