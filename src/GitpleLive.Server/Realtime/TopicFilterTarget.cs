namespace GitpleLive.Server.Realtime;

/// <summary>A parsed topic filter: its target and its registry key (the filter without the final <c>#</c>).</summary>
internal readonly record struct TopicFilterTarget(TopicFilterKind Kind, string ChannelType, string TargetId, string Key);
